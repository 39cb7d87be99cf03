import { sessionSchema } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";

export const REFRESH_PATH = "/api/v1/auth/refresh";
/** Name of the Web Lock that serialises renewals across the portal's tabs. */
const REFRESH_LOCK = "portal-session-refresh";

let inFlight: Promise<boolean> | null = null;

/**
 * Exchanges the HttpOnly refresh cookie for a new access token.
 *
 * Resolves to true and stores the new session on success, or false when the server rejects
 * the cookie or cannot be reached. The server rotates the refresh token on every renewal and
 * ends the whole session when a spent token comes back, so renewals must never overlap. Calls
 * made while one is running in this tab share it. Tabs take turns through a Web Lock, so each
 * sends the cookie that the previous renewal set.
 */
export function refreshSession(): Promise<boolean> {
  inFlight ??= withRefreshLock(requestRefresh).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** Runs `task` while holding the cross-tab refresh lock, or directly without Web Locks. */
async function withRefreshLock(task: () => Promise<boolean>): Promise<boolean> {
  // NOTE: browsers without the Web Locks API (before Safari 15.4 and Firefox 96) can still
  // race two tabs, and the losing renewal then ends the session.
  if (!("locks" in navigator)) {
    return task();
  }
  return await navigator.locks.request(REFRESH_LOCK, task);
}

async function requestRefresh(): Promise<boolean> {
  let response: Response;
  try {
    response = await fetch(REFRESH_PATH, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Requested-With": "portal", Accept: "application/json" },
    });
  } catch {
    return false;
  }

  if (!response.ok) {
    return false;
  }

  const parsed = sessionSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    return false;
  }
  startSession(parsed.data);
  return true;
}
