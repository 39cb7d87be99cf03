import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest, queryString } from "@/lib/api/client";
import { pageSchema } from "@/lib/schemas/page";
import { roleSchema } from "@/lib/schemas/user";

export const accessEventSchema = z.object({
  id: z.union([z.number(), z.string()]),
  occurredAt: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: roleSchema.nullable(),
  action: z.string(),
  outcome: z.string(),
  /** True for emergency access grants and for reads made under them. */
  emergency: z.boolean(),
  /** The provider's stated reason, on emergency access grants only. */
  reason: z.string().nullable(),
});
export type AccessEvent = z.infer<typeof accessEventSchema>;

export const accessLogPageSchema = pageSchema(accessEventSchema);

export const ACCESS_LOG_PAGE_SIZE = 25;

/** Plain-language descriptions of the audited actions. */
export const ACTION_LABELS: Record<string, string> = {
  "auth.register": "Created the account",
  "auth.login": "Signed in",
  "auth.login.throttled": "Sign-in blocked after too many failed attempts",
  "auth.refresh": "Renewed the session",
  "auth.refresh.reuse": "Ended a session after a reused sign-in token",
  "auth.logout": "Signed out",
  "auth.session.end": "Ended a session",
  "auth.session.end_others": "Ended all other sessions",
  "auth.password.change": "Changed the password",
  "dashboard.read": "Opened the dashboard",
  "profile.read": "Viewed the profile",
  "profile.update": "Changed the profile",
  "appointments.list": "Viewed the appointment list",
  "appointment.request": "Requested an appointment",
  "appointment.cancel": "Cancelled an appointment",
  "appointment.confirm": "Confirmed an appointment",
  "appointment.decline": "Declined an appointment",
  "access_log.read": "Viewed this access history",
  "emergency.grant": "Opened your record in an emergency",
  "emergency.profile.read": "Viewed the profile under emergency access",
  "account.seed": "Created as demo data",
};

export const OUTCOME_LABELS: Record<string, string> = {
  success: "Succeeded",
  failed: "Failed",
  denied: "Denied",
};

export function listAccessLog(page: number, signal?: AbortSignal) {
  return apiRequest(
    `/api/v1/patient/access-log${queryString({ page, limit: ACCESS_LOG_PAGE_SIZE })}`,
    accessLogPageSchema,
    { signal },
  );
}

export function useAccessLog(page: number) {
  return useQuery({
    queryKey: ["patient", "access-log", page],
    queryFn: ({ signal }) => listAccessLog(page, signal),
    placeholderData: keepPreviousData,
  });
}
