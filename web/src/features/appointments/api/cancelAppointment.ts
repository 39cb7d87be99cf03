import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiRequest } from "@/lib/api/client";
import { appointmentSchema } from "@/lib/schemas/appointment";

export function cancelAppointment(id: string) {
  return apiRequest(`/api/v1/patient/appointments/${encodeURIComponent(id)}/cancel`, appointmentSchema, {
    method: "POST",
  });
}

/** Cancels one of the patient's appointments and refreshes the patient's lists. */
export function useCancelAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: cancelAppointment,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["patient"] });
    },
  });
}
