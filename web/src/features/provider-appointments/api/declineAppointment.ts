import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api/client";
import { appointmentSchema } from "@/lib/schemas/appointment";

export function declineAppointment(id: string) {
  return apiRequest(`/api/v1/provider/appointments/${encodeURIComponent(id)}/decline`, appointmentSchema, {
    method: "POST",
  });
}

/** Declines a requested appointment and refreshes the provider's lists. */
export function useDeclineAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: declineAppointment,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["provider"] });
    },
  });
}
