import { useEffect, useRef, useState } from "react";
import { signOut } from "@/features/auth/api/signOut";
import { formatDateTime } from "@/lib/format/dates";
import { refreshSession } from "@/lib/session/refreshSession";
import { endSession, idleSignOutNotice, SESSION_ENDED_NOTICE, SIGNED_OUT_NOTICE } from "@/lib/session/sessionStore";
import { useSession } from "@/lib/session/useSession";

/** Idle limit used until the server has sent its own, in minutes (the server's default). */
const DEFAULT_IDLE_LIMIT_MINUTES = 15;
/** Time before the sign-out at which the warning appears. */
const WARNING_LEAD_MS = 60_000;
/** How often the timer checks for inactivity. */
const CHECK_INTERVAL_MS = 5_000;
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "scroll", "touchstart"] as const;

/**
 * Warns a minute before signing out a person who has been inactive, so an unattended screen
 * does not keep showing health information. The limit is the server's idle timeout, which
 * ends the session on the server as well.
 */
// NOTE: activity in one browser tab does not reset the timer in another tab of the portal.
export function IdleTimeout() {
  const { status, idleTimeoutSeconds } = useSession();
  const limitMs = (idleTimeoutSeconds ?? DEFAULT_IDLE_LIMIT_MINUTES * 60) * 1000;
  const [warningUntil, setWarningUntil] = useState<number | null>(null);
  const [staying, setStaying] = useState(false);
  const lastActivity = useRef(0);
  const stayButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (status !== "signedIn") {
      return;
    }
    lastActivity.current = Date.now();
    const markActive = () => {
      lastActivity.current = Date.now();
    };
    for (const name of ACTIVITY_EVENTS) {
      window.addEventListener(name, markActive, { passive: true });
    }

    const check = window.setInterval(() => {
      const idleMs = Date.now() - lastActivity.current;
      if (idleMs >= limitMs) {
        setWarningUntil(null);
        // The local session ends even when the request to end the server session fails.
        void signOut()
          .catch(() => undefined)
          .finally(() => {
            endSession(idleSignOutNotice(limitMs));
          });
      } else if (idleMs >= limitMs - Math.min(WARNING_LEAD_MS, limitMs / 2)) {
        setWarningUntil((current) => current ?? lastActivity.current + limitMs);
      }
    }, CHECK_INTERVAL_MS);

    return () => {
      window.clearInterval(check);
      for (const name of ACTIVITY_EVENTS) {
        window.removeEventListener(name, markActive);
      }
    };
  }, [status, limitMs]);

  useEffect(() => {
    if (warningUntil !== null) {
      stayButton.current?.focus();
    }
  }, [warningUntil]);

  if (status !== "signedIn" || warningUntil === null) {
    return null;
  }

  // A renewal is a request, so it resets the server's idle timer as well as this one.
  const stay = () => {
    lastActivity.current = Date.now();
    setStaying(true);
    void refreshSession().then((renewed) => {
      setStaying(false);
      setWarningUntil(null);
      if (!renewed) {
        endSession(SESSION_ENDED_NOTICE);
      }
    });
  };

  const leave = () => {
    setWarningUntil(null);
    void signOut()
      .catch(() => undefined)
      .finally(() => {
        endSession(SIGNED_OUT_NOTICE);
      });
  };

  return (
    <div className="idle-warning" role="alertdialog" aria-labelledby="idle-title" aria-describedby="idle-body">
      <h2 id="idle-title" className="h3">
        Are you still there?
      </h2>
      <p id="idle-body">
        To protect your information, you will be signed out at {formatDateTime(new Date(warningUntil).toISOString())}{" "}
        unless you choose to stay signed in.
      </p>
      <div className="button-row">
        <button ref={stayButton} type="button" className="button button--primary" disabled={staying} onClick={stay}>
          Stay signed in
        </button>
        <button type="button" className="button button--secondary" disabled={staying} onClick={leave}>
          Sign out
        </button>
      </div>
    </div>
  );
}
