import { sessionSchema } from "@/lib/schemas/user";
import { startSession } from "@/lib/session/sessionStore";

export const REFRESH_PATH = "/api/v1/auth/refresh";

let inFlight: Promise<boolean> | null = null;

/**
 * Exchanges the HttpOnly refresh cookie for a new access token.
 *
 * Resolves to true and stores the new session on success, or false when the server rejects
 * the cookie or cannot be reached. Calls made while one is running share it, because the
 * server rotates the refresh token and a second concurrent call would send a spent one.
 */
export function refreshSession(): Promise<boolean> {
  inFlight ??= requestRefresh().finally(() => {
    inFlight = null;
  });
  return inFlight;
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
