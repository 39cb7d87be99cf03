/**
 * Formats instants in the user's time zone and handles calendar dates as plain strings.
 *
 * Dates of birth stay `YYYY-MM-DD` strings from input to request, because turning one into a
 * `Date` at local midnight and back through UTC can move it by a day.
 */

const DATE_ONLY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
  timeZoneName: "short",
});

function partsOf(date: Date): Partial<Record<Intl.DateTimeFormatPartTypes, string>> {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of dateTimeFormat.formatToParts(date)) {
    parts[part.type] = part.value;
  }
  return parts;
}

/** Formats an instant as "Tue 9 Mar 2027, 1:00 PM" in the user's time zone. */
export function formatDateTime(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) {
    return instant;
  }
  const p = partsOf(date);
  return `${p.weekday ?? ""} ${p.day ?? ""} ${p.month ?? ""} ${p.year ?? ""}, ${p.hour ?? ""}:${p.minute ?? ""} ${p.dayPeriod ?? ""}`;
}

/** Formats an instant like `formatDateTime` followed by the zone, e.g. "… 1:00 PM EST". */
export function formatDateTimeWithZone(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) {
    return instant;
  }
  const zone = partsOf(date).timeZoneName;
  const text = formatDateTime(instant);
  return zone === undefined ? text : `${text} ${zone}`;
}

/** Returns the user's IANA time zone name, such as "America/New_York". */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Formats a calendar date `YYYY-MM-DD` as "9 Mar 1980" without any time zone arithmetic. */
export function formatCalendarDate(value: string): string {
  const match = DATE_ONLY_PATTERN.exec(value);
  if (match === null) {
    return value;
  }
  const [, year, month, day] = match;
  const monthName = MONTHS[Number(month) - 1];
  if (monthName === undefined) {
    return value;
  }
  return `${Number(day)} ${monthName} ${year ?? ""}`;
}

/** Returns true when `value` is a real calendar date in `YYYY-MM-DD` form. */
export function isCalendarDate(value: string): boolean {
  const match = DATE_ONLY_PATTERN.exec(value);
  if (match === null) {
    return false;
  }
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  // Date.UTC rolls 31 Feb over to March, so a round trip shows whether the day exists.
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** Returns the user's local date as `YYYY-MM-DD`. */
export function todayLocalDate(now: Date = new Date()): string {
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Converts a local date `YYYY-MM-DD` and time `HH:mm` to an RFC 3339 instant in UTC.
 *
 * Returns null when the pair does not name a real local time.
 */
export function localDateTimeToInstant(date: string, time: string): string | null {
  if (!isCalendarDate(date) || !/^\d{2}:\d{2}$/.test(time)) {
    return null;
  }
  // ECMAScript reads a date-time string without an offset as local time.
  const instant = new Date(`${date}T${time}`);
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}
