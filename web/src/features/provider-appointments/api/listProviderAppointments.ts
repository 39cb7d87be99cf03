import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiRequest, queryString } from "@/lib/api/client";
import { appointmentSchema, type AppointmentStatus } from "@/lib/schemas/appointment";
import { pageSchema } from "@/lib/schemas/page";

export const providerAppointmentsPageSchema = pageSchema(appointmentSchema);

export const PROVIDER_APPOINTMENTS_PAGE_SIZE = 25;

/** Status filter, where "all" sends no status so the server lists every state. */
export type StatusFilter = AppointmentStatus | "all";

export function listProviderAppointments(status: StatusFilter, page: number, signal?: AbortSignal) {
  const params = {
    status: status === "all" ? undefined : status,
    page,
    limit: PROVIDER_APPOINTMENTS_PAGE_SIZE,
  };
  return apiRequest(`/api/v1/provider/appointments${queryString(params)}`, providerAppointmentsPageSchema, {
    signal,
  });
}

export function useProviderAppointments(status: StatusFilter, page: number) {
  return useQuery({
    queryKey: ["provider", "appointments", { status, page }],
    queryFn: ({ signal }) => listProviderAppointments(status, page, signal),
    placeholderData: keepPreviousData,
  });
}
