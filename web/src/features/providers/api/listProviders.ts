import { useQuery } from "@tanstack/react-query";
import { apiRequest, queryString } from "@/lib/api/client";
import { pageSchema } from "@/lib/schemas/page";
import { providerSummarySchema } from "@/lib/schemas/provider";

export const providersPageSchema = pageSchema(providerSummarySchema);

/** Maximum page size the API serves, so a picker shows at most this many providers. */
export const PROVIDER_PICKER_LIMIT = 100;

export function listProviders(params: { q?: string; page?: number; limit?: number }, signal?: AbortSignal) {
  return apiRequest(`/api/v1/providers${queryString(params)}`, providersPageSchema, { signal });
}

/** Loads the first 100 providers for a picker. */
// NOTE: only the first 100 providers load, so a clinic with more needs a searchable picker.
export function useProviders() {
  return useQuery({
    queryKey: ["providers", { limit: PROVIDER_PICKER_LIMIT }],
    queryFn: ({ signal }) => listProviders({ page: 1, limit: PROVIDER_PICKER_LIMIT }, signal),
    staleTime: 5 * 60 * 1000,
  });
}
