import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import { localDateTimeToInstant } from "@/lib/format/dates";
import { appointmentSchema, visitTypeSchema, type VisitType } from "@/lib/schemas/appointment";
import { characterCount } from "@/lib/forms/rules";

export const MAX_REASON_LENGTH = 500;
const MAX_DAYS_AHEAD = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Form values, with the date and time in the user's zone until submit converts them. */
export const appointmentRequestFormSchema = z
  .object({
    providerId: z.string().min(1, "Choose a provider"),
    preferredDate: z.string().min(1, "Enter the date you would like"),
    preferredTime: z.string().min(1, "Enter the time you would like"),
    visitType: z.union([visitTypeSchema, z.literal("")]).refine((value) => value !== "", {
      error: "Choose a visit type",
    }),
    reason: z
      .string()
      .trim()
      .min(1, "Tell us the reason for your visit")
      .refine((value) => characterCount(value) <= MAX_REASON_LENGTH, {
        error: `Reason must be ${MAX_REASON_LENGTH} characters or fewer`,
      }),
  })
  .superRefine((form, context) => {
    if (form.preferredDate === "" || form.preferredTime === "") {
      return;
    }
    const instant = localDateTimeToInstant(form.preferredDate, form.preferredTime);
    if (instant === null) {
      context.addIssue({ code: "custom", path: ["preferredDate"], message: "Enter a real date and time" });
      return;
    }
    const start = new Date(instant).getTime();
    const now = Date.now();
    if (start <= now) {
      context.addIssue({ code: "custom", path: ["preferredDate"], message: "Choose a date and time in the future" });
    } else if (start > now + MAX_DAYS_AHEAD * DAY_MS) {
      context.addIssue({
        code: "custom",
        path: ["preferredDate"],
        message: "Choose a date within the next 12 months",
      });
    }
  });
export type AppointmentRequestForm = z.input<typeof appointmentRequestFormSchema>;

export interface AppointmentRequestBody {
  providerId: string;
  /** RFC 3339 instant in UTC. */
  preferredStart: string;
  visitType: VisitType;
  reason: string;
}

/** Builds the request body, converting the local date and time to a UTC instant. */
export function toAppointmentRequestBody(form: AppointmentRequestForm): AppointmentRequestBody {
  const preferredStart = localDateTimeToInstant(form.preferredDate, form.preferredTime);
  if (preferredStart === null || form.visitType === "") {
    throw new Error("toAppointmentRequestBody needs values that passed appointmentRequestFormSchema");
  }
  return {
    providerId: form.providerId,
    preferredStart,
    visitType: form.visitType,
    reason: form.reason.trim(),
  };
}

export function requestAppointment(body: AppointmentRequestBody) {
  return apiRequest("/api/v1/patient/appointments", appointmentSchema, { method: "POST", body });
}

/** Requests an appointment and refreshes the patient's lists. */
export function useRequestAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: requestAppointment,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["patient"] });
    },
  });
}
