import { screen } from "@testing-library/react";
import { profileFixture, PROVIDER } from "@/test/fixtures";
import { installFetch, jsonResponse, problemResponse } from "@/test/fetchMock";
import { renderApp } from "@/test/renderApp";

describe("PatientRecordPage", () => {
  it("shows the record read-only with no inputs", async () => {
    const record = profileFixture({
      allergies: [{ substance: "Penicillin", reaction: "Hives", severity: "severe" }],
      medications: [{ name: "Metformin", dose: "500 mg", frequency: "twice a day" }],
    });
    installFetch({ [`GET /api/v1/provider/patients/${record.id}`]: () => jsonResponse(200, record) });
    renderApp(`/provider/patients/${record.id}`, PROVIDER);

    expect(await screen.findByText("Penicillin")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Patient record" })).toBeInTheDocument();
    expect(screen.getByText("Read-only")).toBeInTheDocument();
    expect(screen.getByText("Severe")).toBeInTheDocument();
    expect(screen.getByText("Metformin")).toBeInTheDocument();
    expect(screen.getByText("9 Mar 1980")).toBeInTheDocument();
    expect(screen.queryAllByRole("textbox")).toHaveLength(0);
    expect(screen.queryAllByRole("combobox")).toHaveLength(0);
    expect(screen.queryAllByRole("checkbox")).toHaveLength(0);
    expect(document.querySelectorAll("main input, main select, main textarea, main form")).toHaveLength(0);
    // The only button on the page is Sign out in the header.
    expect(screen.getAllByRole("button").map((button) => button.textContent)).toEqual(["Sign out"]);
  });

  it("says when the patient is not found", async () => {
    installFetch({ "GET /api/v1/provider/patients/unknown": () => problemResponse(404, [], "Not found") });
    renderApp("/provider/patients/unknown", PROVIDER);

    expect(await screen.findByText(/We could not find this patient in your care/)).toBeInTheDocument();
  });
});
