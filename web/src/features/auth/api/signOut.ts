import { useMutation } from "@tanstack/react-query";
import { apiSend } from "@/lib/api/client";
import { endSession, SIGNED_OUT_NOTICE } from "@/lib/session/sessionStore";

export function signOut(): Promise<void> {
  return apiSend("/api/v1/auth/logout", { method: "POST" });
}

/**
 * Signs out on the server, then clears the session in memory.
 *
 * The session is cleared even when the request fails, so a lost connection never leaves the
 * person signed in on this screen.
 */
export function useSignOut() {
  return useMutation({
    mutationFn: signOut,
    onSettled: () => {
      endSession(SIGNED_OUT_NOTICE);
    },
  });
}
