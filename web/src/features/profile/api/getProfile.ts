import { useQuery } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api/client";
import { profileSchema } from "@/lib/schemas/profile";

export const myProfileKey = ["patient", "profile"] as const;

export function getProfile(signal?: AbortSignal) {
  return apiRequest("/api/v1/patient/profile", profileSchema, { signal });
}

export function useProfile() {
  return useQuery({
    queryKey: myProfileKey,
    queryFn: ({ signal }) => getProfile(signal),
  });
}
