import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import { sessionSchema, type Session } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";

export const signInFormSchema = z.object({
  email: z.string().trim().min(1, "Enter your email address"),
  password: z.string().min(1, "Enter your password"),
});
export type SignInForm = z.infer<typeof signInFormSchema>;

export function signIn(body: SignInForm): Promise<Session> {
  return apiRequest("/api/v1/auth/login", sessionSchema, { method: "POST", body });
}

/** Signs in and stores the session in memory. */
export function useSignIn() {
  return useMutation({
    mutationFn: signIn,
    onSuccess: (session) => {
      startSession(session);
    },
  });
}
