import { z } from "zod";
import { characterCount, dateOfBirthRule, isPhoneNumber, nameRule, PHONE_MESSAGE } from "@/lib/forms/rules";
import {
  severitySchema,
  sexAtBirthSchema,
  type Profile,
  type SexAtBirth,
} from "@/lib/schemas/profile";

/** Maximum rows in each health list, as the server allows. */
export const MAX_LIST_ROWS = 50;

function text(max: number, required: string | null) {
  const base = z.string().trim();
  const checked = required === null ? base : base.min(1, required);
  return checked.refine((value) => characterCount(value) <= max, {
    error: `Must be ${max} characters or fewer`,
  });
}

const optionalPhone = z
  .string()
  .trim()
  .refine((value) => value === "" || isPhoneNumber(value), { error: PHONE_MESSAGE });

const addressForm = z.object({
  line1: text(200, null),
  line2: text(200, null),
  city: text(100, null),
  region: text(100, null),
  postalCode: text(20, null),
  country: text(100, null),
});

const emergencyContactForm = z.object({
  name: text(100, null),
  relationship: text(50, null),
  phone: z.string().trim(),
});

/** Profile form values. Every input is a string, and an empty string means "not given". */
export const profileFormSchema = z
  .object({
    firstName: nameRule("first name"),
    lastName: nameRule("last name"),
    dateOfBirth: dateOfBirthRule,
    sexAtBirth: z.union([sexAtBirthSchema, z.literal("")]),
    phone: optionalPhone,
    address: addressForm,
    emergencyContact: emergencyContactForm,
    allergies: z
      .array(
        z.object({
          substance: text(100, "Enter the substance, such as penicillin or peanuts"),
          reaction: text(200, null),
          severity: severitySchema,
        }),
      )
      .max(MAX_LIST_ROWS, `You can list up to ${MAX_LIST_ROWS} allergies`),
    medications: z
      .array(
        z.object({
          name: text(100, "Enter the name of the medication"),
          dose: text(50, null),
          frequency: text(50, null),
        }),
      )
      .max(MAX_LIST_ROWS, `You can list up to ${MAX_LIST_ROWS} medications`),
    conditions: z
      .array(z.object({ name: text(100, "Enter the name of the condition") }))
      .max(MAX_LIST_ROWS, `You can list up to ${MAX_LIST_ROWS} conditions`),
    primaryProviderId: z.string(),
  })
  .superRefine((form, context) => {
    // The server needs a street line, city, postal code and country once any address part is given.
    const address = form.address;
    if (Object.values(address).some((value) => value !== "")) {
      const required: [keyof typeof address, string][] = [
        ["line1", "Enter the first line of your address"],
        ["city", "Enter your town or city"],
        ["postalCode", "Enter your postal code"],
        ["country", "Enter your country"],
      ];
      for (const [key, message] of required) {
        if (address[key] === "") {
          context.addIssue({ code: "custom", path: ["address", key], message });
        }
      }
    }

    // An emergency contact needs every part once any part is given.
    const contact = form.emergencyContact;
    if (Object.values(contact).some((value) => value !== "")) {
      if (contact.name === "") {
        context.addIssue({ code: "custom", path: ["emergencyContact", "name"], message: "Enter your contact's name" });
      }
      if (contact.relationship === "") {
        context.addIssue({
          code: "custom",
          path: ["emergencyContact", "relationship"],
          message: "Enter how this person is related to you, such as partner or friend",
        });
      }
      if (!isPhoneNumber(contact.phone)) {
        context.addIssue({ code: "custom", path: ["emergencyContact", "phone"], message: PHONE_MESSAGE });
      }
    }
  });

export type ProfileFormInput = z.input<typeof profileFormSchema>;
export type ProfileFormOutput = z.output<typeof profileFormSchema>;

/** Body of PUT /api/v1/patient/profile, which carries only the editable fields. */
export interface ProfileUpdateBody {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  sexAtBirth: SexAtBirth | null;
  phone: string | null;
  address: ProfileFormOutput["address"] | null;
  emergencyContact: ProfileFormOutput["emergencyContact"] | null;
  allergies: ProfileFormOutput["allergies"];
  medications: ProfileFormOutput["medications"];
  conditions: ProfileFormOutput["conditions"];
  primaryProviderId: string | null;
}

const EMPTY_ADDRESS = { line1: "", line2: "", city: "", region: "", postalCode: "", country: "" };
const EMPTY_CONTACT = { name: "", relationship: "", phone: "" };

/** Turns a stored profile into form values, with empty strings for missing values. */
export function profileToForm(profile: Profile): ProfileFormInput {
  return {
    firstName: profile.firstName,
    lastName: profile.lastName,
    dateOfBirth: profile.dateOfBirth,
    sexAtBirth: profile.sexAtBirth ?? "",
    phone: profile.phone ?? "",
    address: profile.address ?? EMPTY_ADDRESS,
    emergencyContact: profile.emergencyContact ?? EMPTY_CONTACT,
    allergies: profile.allergies,
    medications: profile.medications,
    conditions: profile.conditions,
    primaryProviderId: profile.primaryProviderId ?? "",
  };
}

function allEmpty(record: Record<string, string>): boolean {
  return Object.values(record).every((value) => value === "");
}

/** Turns validated form values into the update body, with null for blank optional values. */
export function formToProfileBody(form: ProfileFormOutput): ProfileUpdateBody {
  return {
    firstName: form.firstName,
    lastName: form.lastName,
    dateOfBirth: form.dateOfBirth,
    sexAtBirth: form.sexAtBirth === "" ? null : form.sexAtBirth,
    phone: form.phone === "" ? null : form.phone,
    address: allEmpty(form.address) ? null : form.address,
    emergencyContact: allEmpty(form.emergencyContact) ? null : form.emergencyContact,
    allergies: form.allergies,
    medications: form.medications,
    conditions: form.conditions,
    primaryProviderId: form.primaryProviderId === "" ? null : form.primaryProviderId,
  };
}
