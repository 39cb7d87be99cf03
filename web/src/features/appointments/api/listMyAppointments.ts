import { useQuery } from "@tanstack/react-query";
import { apiRequest, queryString } from "@/lib/api/client";
import { appointmentSchema } from "@/lib/schemas/appointment";
import { pageSchema } from "@/lib/schemas/page";

export const appointmentsPageSchema = pageSchema(appointmentSchema);

/** Maximum page size the API serves. */
export const MY_APPOINTMENTS_LIMIT = 100;

export const myAppointmentsKey = ["patient", "appointments"] as const;

export function listMyAppointments(signal?: AbortSignal) {
  return apiRequest(
    `/api/v1/patient/appointments${queryString({ page: 1, limit: MY_APPOINTMENTS_LIMIT })}`,
    appointmentsPageSchema,
    { signal },
  );
}

/** Loads the patient's latest 100 appointments, newest first. */
export function useMyAppointments() {
  return useQuery({
    queryKey: myAppointmentsKey,
    queryFn: ({ signal }) => listMyAppointments(signal),
  });
}
