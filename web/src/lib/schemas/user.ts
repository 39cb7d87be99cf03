import { z } from "zod";

export const roleSchema = z.enum(["patient", "provider", "admin"]);
export type Role = z.infer<typeof roleSchema>;

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  firstName: z.string(),
  lastName: z.string(),
});
export type User = z.infer<typeof userSchema>;

/** Body of every successful sign-in, registration and refresh. */
export const sessionSchema = z.object({
  user: userSchema,
  accessToken: z.string().min(1),
  accessTokenExpiresAt: z.string(),
  /** Seconds without a request after which the server ends the session. */
  idleTimeoutSeconds: z.number().int().positive(),
  /** Absolute end of the session, whatever the activity. */
  sessionExpiresAt: z.string(),
});
export type Session = z.infer<typeof sessionSchema>;

export const ROLE_LABELS: Record<Role, string> = {
  patient: "Patient",
  provider: "Provider",
  admin: "Administrator",
};
