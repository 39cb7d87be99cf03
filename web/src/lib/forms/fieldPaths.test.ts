import { fieldId, flattenFieldErrors, toFormPath } from "@/lib/forms/fieldPaths";

describe("fieldPaths", () => {
  it("converts API list paths to form paths", () => {
    expect(toFormPath("allergies[2].substance")).toBe("allergies.2.substance");
    expect(toFormPath("dateOfBirth")).toBe("dateOfBirth");
    expect(toFormPath("address.line1")).toBe("address.line1");
  });

  it("builds DOM ids from form paths", () => {
    expect(fieldId("allergies.0.substance")).toBe("field-allergies-0-substance");
  });

  it("flattens nested errors in order", () => {
    const errors = {
      firstName: { type: "too_small", message: "Enter your first name" },
      allergies: [undefined, { substance: { type: "server", message: "Is required" } }],
    };

    expect(flattenFieldErrors(errors)).toEqual([
      { path: "firstName", message: "Enter your first name" },
      { path: "allergies.1.substance", message: "Is required" },
    ]);
  });
});
