import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api/client";
import { appointmentSchema } from "@/lib/schemas/appointment";

export function confirmAppointment(id: string) {
  return apiRequest(`/api/v1/provider/appointments/${encodeURIComponent(id)}/confirm`, appointmentSchema, {
    method: "POST",
  });
}

/** Confirms a requested appointment and refreshes the provider's lists. */
export function useConfirmAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: confirmAppointment,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["provider"] });
    },
  });
}
