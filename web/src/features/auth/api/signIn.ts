import { useMutation } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import { sessionSchema, type Session } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";
import { mfaChallengeSchema, type MfaChallenge } from "@/features/mfa/api/mfa";

export const signInFormSchema = z.object({
  email: z.string().trim().min(1, "Enter your email address"),
  password: z.string().min(1, "Enter your password"),
});
export type SignInForm = z.infer<typeof signInFormSchema>;

/**
 * The password step's response: a session, or for an account with two-step sign-in a challenge
 * whose `mfaToken` the second step sends with a code.
 */
const signInResultSchema = z.union([sessionSchema, mfaChallengeSchema]);

export function signIn(body: SignInForm): Promise<Session | MfaChallenge> {
  return apiRequest("/api/v1/auth/login", signInResultSchema, { method: "POST", body });
}

export function isMfaChallenge(result: Session | MfaChallenge): result is MfaChallenge {
  return "mfaRequired" in result;
}

/** Signs in and stores the session in memory, unless a second step must follow. */
export function useSignIn() {
  return useMutation({
    mutationFn: signIn,
    onSuccess: (result) => {
      if (!isMfaChallenge(result)) {
        startSession(result);
      }
    },
  });
}
