import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api/client";
import { profileSchema } from "@/lib/schemas/profile";
import { myProfileKey } from "@/features/profile/api/getProfile";
import type { ProfileUpdateBody } from "@/features/profile/api/profileForm";

export function updateProfile(body: ProfileUpdateBody) {
  return apiRequest("/api/v1/patient/profile", profileSchema, { method: "PUT", body });
}

/** Saves the profile, stores the server's copy and refreshes the dashboard's reminders. */
export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateProfile,
    onSuccess: async (profile) => {
      queryClient.setQueryData(myProfileKey, profile);
      await queryClient.invalidateQueries({ queryKey: ["patient", "dashboard"] });
    },
  });
}
