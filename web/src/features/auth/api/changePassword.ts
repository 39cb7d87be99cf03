import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiSend } from "@/lib/api/client";
import { passwordRule } from "@/lib/forms/rules";

export const changePasswordFormSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password"),
    newPassword: passwordRule,
  })
  .refine((form) => form.newPassword !== form.currentPassword, {
    path: ["newPassword"],
    error: "New password must be different from your current password",
  });
export type ChangePasswordForm = z.infer<typeof changePasswordFormSchema>;

export function changePassword(body: ChangePasswordForm): Promise<void> {
  return apiSend("/api/v1/auth/password", { method: "PUT", body });
}

/** Changes the password. The server then ends every other session of the user. */
export function useChangePassword() {
  return useMutation({ mutationFn: changePassword });
}
