import { z } from "zod";

export const appointmentStatusSchema = z.enum([
  "requested",
  "confirmed",
  "declined",
  "cancelled",
  "completed",
]);
export type AppointmentStatus = z.infer<typeof appointmentStatusSchema>;

export const visitTypeSchema = z.enum(["in_person", "telehealth"]);
export type VisitType = z.infer<typeof visitTypeSchema>;

export const appointmentSchema = z.object({
  id: z.string(),
  patientId: z.string(),
  patientName: z.string(),
  providerId: z.string(),
  providerName: z.string(),
  preferredStart: z.string(),
  visitType: visitTypeSchema,
  reason: z.string(),
  status: appointmentStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Appointment = z.infer<typeof appointmentSchema>;

export const STATUS_LABELS: Record<AppointmentStatus, string> = {
  requested: "Requested",
  confirmed: "Confirmed",
  declined: "Declined",
  cancelled: "Cancelled",
  completed: "Completed",
};

export const VISIT_TYPE_LABELS: Record<VisitType, string> = {
  in_person: "In person",
  telehealth: "Video visit (telehealth)",
};

/** Returns true for an appointment that is still planned and has not started. */
export function isUpcoming(appointment: Appointment, now: Date = new Date()): boolean {
  const active = appointment.status === "requested" || appointment.status === "confirmed";
  return active && new Date(appointment.preferredStart).getTime() > now.getTime();
}
