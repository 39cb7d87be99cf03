import { z } from "zod";

/**
 * Router state that the emergency access form passes to the patient record page.
 *
 * It holds only the end of the grant, because browsers keep history state across reloads and
 * the patient's details must not be stored there.
 */
const emergencyAccessStateSchema = z.object({ emergencyAccessUntil: z.string() });

export function emergencyAccessState(expiresAt: string): z.infer<typeof emergencyAccessStateSchema> {
  return { emergencyAccessUntil: expiresAt };
}

/** Returns the end of the emergency access grant from router state, or null when there is none. */
export function readEmergencyAccessUntil(state: unknown): string | null {
  const parsed = emergencyAccessStateSchema.safeParse(state);
  if (!parsed.success || Number.isNaN(Date.parse(parsed.data.emergencyAccessUntil))) {
    return null;
  }
  return parsed.data.emergencyAccessUntil;
}
