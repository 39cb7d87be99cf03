import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api/client";
import { profileSchema } from "@/lib/schemas/profile";

export function getPatientRecord(id: string, signal?: AbortSignal) {
  return apiRequest(`/api/v1/provider/patients/${encodeURIComponent(id)}`, profileSchema, { signal });
}

export function usePatientRecord(id: string) {
  return useQuery({
    queryKey: ["provider", "patient", id],
    queryFn: ({ signal }) => getPatientRecord(id, signal),
  });
}
