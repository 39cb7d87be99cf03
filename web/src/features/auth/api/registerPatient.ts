import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import {
  dateOfBirthRule,
  emailRule,
  nameRule,
  passwordMatchesEmail,
  passwordRule,
} from "@/lib/forms/rules";
import { sessionSchema, type Session } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";

export const registerPatientFormSchema = z
  .object({
    email: emailRule,
    password: passwordRule,
    firstName: nameRule("first name"),
    lastName: nameRule("last name"),
    dateOfBirth: dateOfBirthRule,
    consent: z.boolean().refine((value) => value, {
      error: "Tick the box to agree to the privacy policy before you create an account",
    }),
  })
  .refine((form) => !passwordMatchesEmail(form.password, form.email), {
    path: ["password"],
    error: "Password must be different from your email address",
  });
export type RegisterPatientForm = z.infer<typeof registerPatientFormSchema>;

export interface RegisterPatientBody extends RegisterPatientForm {
  /** Version of the privacy policy the person agreed to. */
  consentVersion: string;
}

export function registerPatient(body: RegisterPatientBody): Promise<Session> {
  return apiRequest("/api/v1/auth/register/patient", sessionSchema, { method: "POST", body });
}

/** Creates a patient account and signs the new patient in. */
export function useRegisterPatient() {
  return useMutation({
    mutationFn: registerPatient,
    onSuccess: (session) => {
      startSession(session);
    },
  });
}
