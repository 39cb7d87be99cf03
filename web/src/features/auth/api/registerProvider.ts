import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import { emailRule, nameRule, passwordMatchesEmail, passwordRule } from "@/lib/forms/rules";
import { sessionSchema, type Session } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";

/**
 * Returns true when the last of ten digits is the NPI check digit, which CMS defines as the
 * Luhn digit computed over the prefix 80840 followed by the first nine digits.
 */
export function hasValidNpiCheckDigit(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) {
    return false;
  }
  const digits = Array.from(npi, Number);
  // The prefix 80840 always adds 24 to the Luhn sum.
  let sum = 24;
  digits
    .slice(0, 9)
    .reverse()
    .forEach((digit, position) => {
      const value = position % 2 === 0 ? digit * 2 : digit;
      sum += Math.floor(value / 10) + (value % 10);
    });
  return (10 - (sum % 10)) % 10 === digits[9];
}

export const registerProviderFormSchema = z
  .object({
    email: emailRule,
    password: passwordRule,
    firstName: nameRule("first name"),
    lastName: nameRule("last name"),
    npi: z
      .string()
      .trim()
      .regex(/^\d{10}$/, "Enter your 10-digit NPI")
      .refine(hasValidNpiCheckDigit, { error: "This NPI is not valid. Check the digits and try again" }),
    specialty: z.string().trim().min(1, "Enter your specialty").max(100, "Specialty must be 100 characters or fewer"),
    inviteCode: z.string().trim().min(1, "Enter the invite code from your clinic"),
  })
  .refine((form) => !passwordMatchesEmail(form.password, form.email), {
    path: ["password"],
    error: "Password must be different from your email address",
  });
export type RegisterProviderForm = z.infer<typeof registerProviderFormSchema>;

export function registerProvider(body: RegisterProviderForm): Promise<Session> {
  return apiRequest("/api/v1/auth/register/provider", sessionSchema, { method: "POST", body });
}

/** Creates a provider account with an invite code and signs the provider in. */
export function useRegisterProvider() {
  return useMutation({
    mutationFn: registerProvider,
    onSuccess: (session) => {
      startSession(session);
    },
  });
}
