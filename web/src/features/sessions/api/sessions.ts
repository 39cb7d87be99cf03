import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest, apiSend } from "@/lib/api/client";

export const sessionSummarySchema = z.object({
  id: z.string(),
  /** Browser and system at sign-in, such as "Chrome on Linux"; null when unknown. */
  browser: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  /** True for the session of this browser tab. */
  current: z.boolean(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

const sessionListSchema = z.object({ items: z.array(sessionSummarySchema) });

const SESSIONS_KEY = ["account", "sessions"] as const;

export function listSessions(signal?: AbortSignal) {
  return apiRequest("/api/v1/auth/sessions", sessionListSchema, { signal });
}

/** Ends one of the user's sessions on the server; its tokens stop working at once. */
export function revokeSession(id: string): Promise<void> {
  return apiSend(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Ends every session of the user except this one. */
export function revokeOtherSessions(): Promise<void> {
  return apiSend("/api/v1/auth/sessions/end-others", { method: "POST" });
}

export function useSessions() {
  return useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: ({ signal }) => listSessions(signal),
    // The list changes when the person signs in elsewhere, so it is read fresh on each visit.
    staleTime: 0,
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeSession,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
  });
}

export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeOtherSessions,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
  });
}
