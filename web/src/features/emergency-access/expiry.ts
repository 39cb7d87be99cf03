import { useEffect, useState } from "react";

const timeFormat = new Intl.DateTimeFormat("en-US", {
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
  timeZoneName: "short",
});

/** Maximum delay of `setTimeout` in milliseconds. Browsers run a timer with a longer delay at once. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Formats an instant as "1:00 PM CST" in the user's time zone. */
export function formatTimeWithZone(instant: string): string {
  return timeFormat.format(new Date(instant));
}

/**
 * Returns false until `instant` has passed, then true, re-rendering the caller at that moment.
 * Always returns false for null.
 *
 * The check runs in a timer, so the first render returns false even for an instant in the past.
 */
export function useHasPassed(instant: string | null): boolean {
  const [passed, setPassed] = useState<string | null>(null);

  useEffect(() => {
    if (instant === null) {
      return;
    }
    const delay = Math.max(0, Date.parse(instant) - Date.now());
    if (delay > MAX_TIMER_DELAY_MS) {
      return;
    }
    const timer = setTimeout(() => {
      setPassed(instant);
    }, delay);
    return () => {
      clearTimeout(timer);
    };
  }, [instant]);

  return instant !== null && passed === instant;
}
