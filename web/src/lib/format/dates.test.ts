import {
  formatCalendarDate,
  formatDateTime,
  formatDateTimeWithZone,
  isCalendarDate,
  localDateTimeToInstant,
} from "@/lib/format/dates";

// The test run sets TZ=America/New_York (see vite.config.ts).
describe("dates", () => {
  it("formats an instant in the local zone", () => {
    expect(formatDateTime("2027-03-09T18:00:00Z")).toBe("Tue 9 Mar 2027, 1:00 PM");
  });

  it("appends the zone name", () => {
    expect(formatDateTimeWithZone("2027-03-09T18:00:00Z")).toBe("Tue 9 Mar 2027, 1:00 PM EST");
  });

  it("formats a date of birth without shifting the day", () => {
    expect(formatCalendarDate("1980-01-01")).toBe("1 Jan 1980");
    expect(formatCalendarDate("2000-12-31")).toBe("31 Dec 2000");
  });

  it("rejects impossible calendar dates", () => {
    expect(isCalendarDate("2027-02-29")).toBe(false);
    expect(isCalendarDate("2028-02-29")).toBe(true);
    expect(isCalendarDate("1980-3-9")).toBe(false);
  });

  it("converts local date and time to a UTC instant", () => {
    expect(localDateTimeToInstant("2027-03-09", "13:00")).toBe("2027-03-09T18:00:00.000Z");
    // After the switch to daylight saving time New York is UTC-4.
    expect(localDateTimeToInstant("2027-03-15", "09:30")).toBe("2027-03-15T13:30:00.000Z");
  });

  it("returns null for incomplete input", () => {
    expect(localDateTimeToInstant("2027-03-09", "")).toBeNull();
    expect(localDateTimeToInstant("", "13:00")).toBeNull();
  });
});
