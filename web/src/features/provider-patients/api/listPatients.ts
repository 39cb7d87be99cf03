import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest, queryString } from "@/lib/api/client";
import { pageSchema } from "@/lib/schemas/page";

export const patientSummarySchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  age: z.number().int(),
  /** Start of the soonest planned appointment with the calling provider, or null. */
  nextAppointment: z.string().nullable(),
});
export type PatientSummary = z.infer<typeof patientSummarySchema>;

export const patientsPageSchema = pageSchema(patientSummarySchema);

export const PATIENTS_PAGE_SIZE = 25;

export function listPatients(params: { q: string; page: number }, signal?: AbortSignal) {
  return apiRequest(
    `/api/v1/provider/patients${queryString({ q: params.q.trim(), page: params.page, limit: PATIENTS_PAGE_SIZE })}`,
    patientsPageSchema,
    { signal },
  );
}

/** Loads one page of the provider's patients whose first or last name starts with `q`. */
export function usePatients(q: string, page: number) {
  return useQuery({
    queryKey: ["provider", "patients", { q: q.trim(), page }],
    queryFn: ({ signal }) => listPatients({ q, page }, signal),
    placeholderData: keepPreviousData,
  });
}
