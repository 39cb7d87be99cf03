import { useSyncExternalStore } from "react";
import { getSessionSnapshot, subscribeToSession, type SessionSnapshot } from "@/lib/session/sessionStore";

/** Returns the current session status and user, and re-renders when either changes. */
export function useSession(): SessionSnapshot {
  return useSyncExternalStore(subscribeToSession, getSessionSnapshot, getSessionSnapshot);
}
