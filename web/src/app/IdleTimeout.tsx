import { useEffect, useRef, useState } from "react";
import { signOut } from "@/features/auth/api/signOut";
import { formatDateTime } from "@/lib/format/dates";
import { endSession } from "@/lib/session/sessionStore";
import { useSession } from "@/lib/session/useSession";

/** Minutes without input before the portal signs the person out. */
export const IDLE_LIMIT_MINUTES = 15;
/** Minutes before the sign-out at which the warning appears. */
const WARNING_LEAD_MINUTES = 2;
const MINUTE_MS = 60_000;
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "scroll", "touchstart"] as const;

export const IDLE_SIGN_OUT_NOTICE = `You were signed out because you were inactive for ${IDLE_LIMIT_MINUTES} minutes.`;

/**
 * Warns before signing out a person who has been inactive, so an unattended screen does not
 * keep showing health information.
 */
// NOTE: activity in one browser tab does not reset the timer in another tab of the portal.
export function IdleTimeout() {
  const { status } = useSession();
  const [warningUntil, setWarningUntil] = useState<number | null>(null);
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
      if (idleMs >= IDLE_LIMIT_MINUTES * MINUTE_MS) {
        setWarningUntil(null);
        // The local session ends even when the request to end the server session fails.
        void signOut()
          .catch(() => undefined)
          .finally(() => {
            endSession(IDLE_SIGN_OUT_NOTICE);
          });
      } else if (idleMs >= (IDLE_LIMIT_MINUTES - WARNING_LEAD_MINUTES) * MINUTE_MS) {
        setWarningUntil((current) => current ?? lastActivity.current + IDLE_LIMIT_MINUTES * MINUTE_MS);
      }
    }, 5_000);

    return () => {
      window.clearInterval(check);
      for (const name of ACTIVITY_EVENTS) {
        window.removeEventListener(name, markActive);
      }
    };
  }, [status]);

  useEffect(() => {
    if (warningUntil !== null) {
      stayButton.current?.focus();
    }
  }, [warningUntil]);

  if (status !== "signedIn" || warningUntil === null) {
    return null;
  }

  return (
    <div className="idle-warning" role="alertdialog" aria-labelledby="idle-title" aria-describedby="idle-body">
      <h2 id="idle-title" className="h3">
        Are you still there?
      </h2>
      <p id="idle-body">
        To protect your information, you will be signed out at {formatDateTime(new Date(warningUntil).toISOString())}{" "}
        unless you choose to stay signed in.
      </p>
      <button
        ref={stayButton}
        type="button"
        className="button button--primary"
        onClick={() => {
          lastActivity.current = Date.now();
          setWarningUntil(null);
        }}
      >
        Stay signed in
      </button>
    </div>
  );
}
