import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest, apiSend } from "@/lib/api/client";
import { sessionSchema, userSchema, type Session } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";

/** Two-step sign-in state of the signed-in user. */
export const mfaStatusSchema = z.object({
  totpEnabled: z.boolean(),
  recoveryCodesLeft: z.number().int().nonnegative(),
  /** True when the user's role must use two-step sign-in, so it cannot be turned off. */
  required: z.boolean(),
});
export type MfaStatus = z.infer<typeof mfaStatusSchema>;

/** A new, unconfirmed setup. `qrSvg` is an SVG document made by the portal's server. */
export const totpSetupSchema = z.object({
  secret: z.string().min(1),
  otpauthUri: z.string().min(1),
  qrSvg: z.string().min(1),
});
export type TotpSetup = z.infer<typeof totpSetupSchema>;

export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });

/** The signed-in user. `mfaEnrolmentRequired` is present, and true, only when they must set up two-step sign-in first. */
export const currentUserSchema = userSchema.extend({ mfaEnrolmentRequired: z.boolean().optional() });

/** The body of a right password on an account with two-step sign-in. */
export const mfaChallengeSchema = z.object({
  mfaRequired: z.literal(true),
  mfaToken: z.string().min(1),
  mfaTokenExpiresAt: z.string(),
});
export type MfaChallenge = z.infer<typeof mfaChallengeSchema>;

/** A 6-digit code; spaces are allowed because some apps show the code in two groups. */
export const codeSchema = z
  .string()
  .transform((value) => value.replace(/\s/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app"));

export const recoveryCodeSchema = z
  .string()
  .trim()
  .min(1, "Enter one of your recovery codes");

export const codeFormSchema = z.object({ code: codeSchema });
export type CodeForm = z.input<typeof codeFormSchema>;

export const MFA_STATUS_KEY = ["account", "mfa"] as const;
export const CURRENT_USER_KEY = ["account", "me"] as const;

export function getMfaStatus(signal?: AbortSignal) {
  return apiRequest("/api/v1/auth/mfa", mfaStatusSchema, { signal });
}

export function getCurrentUser(signal?: AbortSignal) {
  return apiRequest("/api/v1/auth/me", currentUserSchema, { signal });
}

export function startTotpSetup(): Promise<TotpSetup> {
  return apiRequest("/api/v1/auth/mfa/totp/setup", totpSetupSchema, { method: "POST" });
}

export function confirmTotp(code: string) {
  return apiRequest("/api/v1/auth/mfa/totp/confirm", recoveryCodesSchema, { method: "POST", body: { code } });
}

export function regenerateRecoveryCodes(code: string) {
  return apiRequest("/api/v1/auth/mfa/recovery-codes", recoveryCodesSchema, { method: "POST", body: { code } });
}

export function disableTotp(body: { currentPassword: string; code: string }): Promise<void> {
  return apiSend("/api/v1/auth/mfa/totp", { method: "DELETE", body });
}

/** The second sign-in step: exactly one of `code` and `recoveryCode`. */
export type SecondStepBody = { mfaToken: string } & ({ code: string } | { recoveryCode: string });

export function finishSignIn(body: SecondStepBody): Promise<Session> {
  return apiRequest("/api/v1/auth/login/mfa", sessionSchema, { method: "POST", body });
}

export function useMfaStatus() {
  return useQuery({
    queryKey: MFA_STATUS_KEY,
    queryFn: ({ signal }) => getMfaStatus(signal),
    staleTime: 0,
  });
}

/** Reads `GET /auth/me`; with `enabled` false it only returns what is cached. */
export function useCurrentUser(enabled = true) {
  return useQuery({
    queryKey: CURRENT_USER_KEY,
    queryFn: ({ signal }) => getCurrentUser(signal),
    retry: false,
    enabled,
  });
}

/** Refetches the status and the current user after a change. */
function useInvalidateMfa() {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY });
    await queryClient.invalidateQueries({ queryKey: CURRENT_USER_KEY });
  };
}

export function useStartTotpSetup() {
  return useMutation({ mutationFn: startTotpSetup });
}

export function useConfirmTotp() {
  const invalidate = useInvalidateMfa();
  return useMutation({ mutationFn: confirmTotp, onSuccess: invalidate });
}

export function useRegenerateRecoveryCodes() {
  const invalidate = useInvalidateMfa();
  return useMutation({ mutationFn: regenerateRecoveryCodes, onSuccess: invalidate });
}

export function useDisableTotp() {
  const invalidate = useInvalidateMfa();
  return useMutation({ mutationFn: disableTotp, onSuccess: invalidate });
}

/** Finishes a two-step sign-in and stores the session in memory. */
export function useFinishSignIn() {
  return useMutation({
    mutationFn: finishSignIn,
    onSuccess: (session) => {
      startSession(session);
    },
  });
}
