import { z } from "zod";

export const severitySchema = z.enum(["mild", "moderate", "severe", "unknown"]);
export type Severity = z.infer<typeof severitySchema>;

export const SEVERITY_LABELS: Record<Severity, string> = {
  mild: "Mild",
  moderate: "Moderate",
  severe: "Severe",
  unknown: "Unknown",
};

export const sexAtBirthSchema = z.enum(["female", "male", "intersex", "unknown"]);
export type SexAtBirth = z.infer<typeof sexAtBirthSchema>;

export const SEX_AT_BIRTH_LABELS: Record<SexAtBirth, string> = {
  female: "Female",
  male: "Male",
  intersex: "Intersex",
  unknown: "Unknown",
};

export const addressSchema = z.object({
  line1: z.string(),
  line2: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
});
export type Address = z.infer<typeof addressSchema>;

export const emergencyContactSchema = z.object({
  name: z.string(),
  relationship: z.string(),
  phone: z.string(),
});
export type EmergencyContact = z.infer<typeof emergencyContactSchema>;

export const allergySchema = z.object({
  substance: z.string(),
  reaction: z.string(),
  severity: severitySchema,
});
export type Allergy = z.infer<typeof allergySchema>;

export const medicationSchema = z.object({
  name: z.string(),
  dose: z.string(),
  frequency: z.string(),
});
export type Medication = z.infer<typeof medicationSchema>;

export const conditionSchema = z.object({ name: z.string() });
export type Condition = z.infer<typeof conditionSchema>;

/** A patient's profile, as both the patient and their providers read it. */
export const profileSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  sexAtBirth: sexAtBirthSchema.nullable(),
  phone: z.string().nullable(),
  address: addressSchema.nullable(),
  emergencyContact: emergencyContactSchema.nullable(),
  allergies: z.array(allergySchema),
  medications: z.array(medicationSchema),
  conditions: z.array(conditionSchema),
  primaryProviderId: z.string().nullable(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof profileSchema>;
