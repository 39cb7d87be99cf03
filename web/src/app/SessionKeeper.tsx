import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { refreshSession } from "@/lib/session/refreshSession";
import {
  endSession,
  getSessionSnapshot,
  SESSION_ENDED_NOTICE,
  subscribeToSession,
} from "@/lib/session/sessionStore";
import { useSession } from "@/lib/session/useSession";

/** Time before expiry at which the access token is renewed. */
const REFRESH_AHEAD_MS = 60_000;
/**
 * Time before the server's idle timeout at which the session is renewed, so an open tab keeps
 * its session while the person reads without making requests. It leaves room for browsers
 * that delay timers in background tabs by up to a minute.
 */
const IDLE_RENEW_AHEAD_MS = 2 * 60_000;
/** Minimum wait between renewals, so a skewed clock cannot cause a tight loop. */
const MIN_REFRESH_DELAY_MS = 30_000;
/** Maximum wait, because browsers run a setTimeout longer than 2^31 - 1 ms at once. */
const MAX_REFRESH_DELAY_MS = 60 * 60_000;

/**
 * Restores the session after a page load, renews the access token before it or the server's
 * idle timeout expires, and clears cached health data when the session ends. Renders nothing.
 * `IdleTimeout` signs out a person who stops using the page.
 */
export function SessionKeeper() {
  const queryClient = useQueryClient();
  const { status, accessTokenExpiresAt, idleTimeoutSeconds } = useSession();

  useEffect(() => {
    if (getSessionSnapshot().status !== "restoring") {
      return;
    }
    void refreshSession().then((restored) => {
      if (!restored && getSessionSnapshot().status === "restoring") {
        endSession();
      }
    });
  }, []);

  useEffect(
    () =>
      subscribeToSession(() => {
        if (getSessionSnapshot().status === "signedOut") {
          queryClient.clear();
        }
      }),
    [queryClient],
  );

  useEffect(() => {
    if (status !== "signedIn" || accessTokenExpiresAt === null) {
      return;
    }
    const expiresAt = new Date(accessTokenExpiresAt).getTime();
    if (Number.isNaN(expiresAt)) {
      return;
    }
    let untilRefresh = expiresAt - Date.now() - REFRESH_AHEAD_MS;
    if (idleTimeoutSeconds !== null) {
      const idleMs = idleTimeoutSeconds * 1000;
      untilRefresh = Math.min(untilRefresh, idleMs - Math.min(IDLE_RENEW_AHEAD_MS, idleMs / 4));
    }
    const delay = Math.min(Math.max(untilRefresh, MIN_REFRESH_DELAY_MS), MAX_REFRESH_DELAY_MS);
    const timer = window.setTimeout(() => {
      void refreshSession().then((renewed) => {
        if (!renewed) {
          endSession(SESSION_ENDED_NOTICE);
        }
      });
    }, delay);
    return () => {
      window.clearTimeout(timer);
    };
  }, [status, accessTokenExpiresAt, idleTimeoutSeconds]);

  return null;
}
