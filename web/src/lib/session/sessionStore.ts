import type { Session, User } from "@/lib/schemas/user";

/**
 * Holds the signed-in session in memory only.
 *
 * The access token lives in a module variable and never reaches web storage or a readable
 * cookie, so a page reload loses it and the app restores the session through the HttpOnly
 * refresh cookie. React reads the rest through `useSyncExternalStore`.
 */
export type SessionStatus = "restoring" | "signedIn" | "signedOut";

export interface SessionSnapshot {
  status: SessionStatus;
  user: User | null;
  accessTokenExpiresAt: string | null;
  /** Seconds without a request after which the server ends the session. */
  idleTimeoutSeconds: number | null;
  /** Message for the sign-in page, such as why the last session ended. */
  notice: string | null;
}

export const SESSION_ENDED_NOTICE = "Your session ended. Please sign in again.";
export const SIGNED_OUT_NOTICE = "You are signed out.";

/** Returns the sign-in page's message after a sign-out for `limitMs` of inactivity. */
export function idleSignOutNotice(limitMs: number): string {
  const minutes = Math.round(limitMs / 60_000);
  const unit = minutes === 1 ? "minute" : "minutes";
  return `You were signed out because you were inactive for ${minutes} ${unit}.`;
}

let accessToken: string | null = null;
let snapshot: SessionSnapshot = {
  status: "restoring",
  user: null,
  accessTokenExpiresAt: null,
  idleTimeoutSeconds: null,
  notice: null,
};
const listeners = new Set<() => void>();

function publish(next: SessionSnapshot): void {
  snapshot = next;
  for (const listener of listeners) {
    listener();
  }
}

export function getAccessToken(): string | null {
  return accessToken;
}

export function getSessionSnapshot(): SessionSnapshot {
  return snapshot;
}

export function subscribeToSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Stores a new or refreshed session and clears any sign-in notice. */
export function startSession(session: Session): void {
  accessToken = session.accessToken;
  publish({
    status: "signedIn",
    user: session.user,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
    idleTimeoutSeconds: session.idleTimeoutSeconds,
    notice: null,
  });
}

/** Clears the access token and user. The sign-in page shows `notice`. */
export function endSession(notice: string | null = null): void {
  accessToken = null;
  publish({ status: "signedOut", user: null, accessTokenExpiresAt: null, idleTimeoutSeconds: null, notice });
}

/** Resets the store to its state at page load, for use between tests. */
export function resetSessionForTests(): void {
  accessToken = null;
  publish({
    status: "restoring",
    user: null,
    accessTokenExpiresAt: null,
    idleTimeoutSeconds: null,
    notice: null,
  });
}
