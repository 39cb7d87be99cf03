import { z } from "zod";
import { isCalendarDate, todayLocalDate } from "@/lib/format/dates";

/**
 * Client-side copies of the server's validation rules, so most mistakes show before a request.
 * The server checks again and its 422 errors are shown next to the same fields.
 */

/** Counts Unicode characters the way the server does, not UTF-16 code units. */
export function characterCount(value: string): number {
  return Array.from(value).length;
}

export const MAX_NAME_LENGTH = 100;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_AGE_YEARS = 130;

export function nameRule(fieldName: string) {
  return z
    .string()
    .trim()
    .min(1, `Enter your ${fieldName}`)
    .refine((value) => characterCount(value) <= MAX_NAME_LENGTH, {
      error: `${capitalise(fieldName)} must be ${MAX_NAME_LENGTH} characters or fewer`,
    });
}

export const emailRule = z
  .string()
  .trim()
  .min(1, "Enter your email address")
  .pipe(z.email("Enter an email address like name@example.com"));

export const passwordRule = z
  .string()
  .refine((value) => characterCount(value) >= MIN_PASSWORD_LENGTH, {
    error: `Password must be at least ${MIN_PASSWORD_LENGTH} characters`,
  })
  .refine((value) => characterCount(value) <= MAX_PASSWORD_LENGTH, {
    error: `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`,
  });

/** Returns true when the password repeats the email address, which the server rejects. */
export function passwordMatchesEmail(password: string, email: string): boolean {
  return password.trim().toLowerCase() === email.trim().toLowerCase();
}

/**
 * Date of birth as a `YYYY-MM-DD` string, not in the future, and born no more than 130
 * calendar years before this year, as the server counts it.
 */
export const dateOfBirthRule = z
  .string()
  .min(1, "Enter your date of birth")
  .refine(isCalendarDate, { error: "Enter a real date, for example 1980-03-09" })
  .refine((value) => value <= todayLocalDate(), { error: "Date of birth must not be in the future" })
  .refine((value) => Number(value.slice(0, 4)) >= new Date().getFullYear() - MAX_AGE_YEARS, {
    error: `Date of birth must be within the last ${MAX_AGE_YEARS} years`,
  });

const PHONE_PATTERN = /^[0-9 +\-().]{7,20}$/;

/** Returns true for 7 to 20 characters of digits, spaces and `+ - ( ) .` with 7 or more digits. */
export function isPhoneNumber(value: string): boolean {
  const digits = value.replace(/\D/g, "").length;
  return PHONE_PATTERN.test(value) && digits >= 7;
}

export const PHONE_MESSAGE = "Enter a phone number with at least 7 digits, like 555-010-1234";

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
