import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import { isCalendarDate, todayLocalDate } from "@/lib/format/dates";
import { characterCount } from "@/lib/forms/rules";

/** Length limits of the provider's reason, as the server checks them after trimming. */
export const MIN_REASON_LENGTH = 10;
export const MAX_REASON_LENGTH = 500;

/** How long a grant lasts on the server, for the page text. The banner uses the response's `expiresAt`. */
export const EMERGENCY_ACCESS_MINUTES = 60;

export const emergencyAccessFormSchema = z.object({
  patientEmail: z
    .string()
    .trim()
    .min(1, "Enter the patient's email address")
    .pipe(z.email("Enter an email address like name@example.com")),
  dateOfBirth: z
    .string()
    .min(1, "Enter the patient's date of birth")
    .refine(isCalendarDate, { error: "Enter a real date, for example 1980-03-09" })
    .refine((value) => value <= todayLocalDate(), { error: "Date of birth must not be in the future" }),
  reason: z
    .string()
    .trim()
    .refine((value) => characterCount(value) >= MIN_REASON_LENGTH, {
      error: `Reason must be at least ${MIN_REASON_LENGTH} characters. Say why the patient needs care from you now`,
    })
    .refine((value) => characterCount(value) <= MAX_REASON_LENGTH, {
      error: `Reason must be ${MAX_REASON_LENGTH} characters or fewer`,
    }),
  confirmed: z.boolean().refine((value) => value, {
    error: "Tick the box to confirm that you need emergency access",
  }),
});
export type EmergencyAccessForm = z.input<typeof emergencyAccessFormSchema>;
export type EmergencyAccessValues = z.output<typeof emergencyAccessFormSchema>;

export interface EmergencyAccessBody {
  patientEmail: string;
  /** Calendar date `YYYY-MM-DD`. */
  dateOfBirth: string;
  reason: string;
}

/** Builds the request body without the confirmation box, which the server does not accept. */
export function toEmergencyAccessBody(values: EmergencyAccessValues): EmergencyAccessBody {
  return { patientEmail: values.patientEmail, dateOfBirth: values.dateOfBirth, reason: values.reason };
}

export const emergencyAccessGrantSchema = z.object({
  patientId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  /** RFC 3339 instant at which the provider loses access to the record. */
  expiresAt: z.string(),
});
export type EmergencyAccessGrant = z.infer<typeof emergencyAccessGrantSchema>;

export function requestEmergencyAccess(body: EmergencyAccessBody): Promise<EmergencyAccessGrant> {
  return apiRequest("/api/v1/provider/emergency-access", emergencyAccessGrantSchema, { method: "POST", body });
}

/**
 * Requests emergency access to a patient's record.
 *
 * On success it drops any cached copy of that record, which may be an earlier 404 from before
 * the grant.
 */
export function useRequestEmergencyAccess() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: requestEmergencyAccess,
    onSuccess: (grant) => {
      queryClient.removeQueries({ queryKey: ["provider", "patient", grant.patientId] });
    },
  });
}
