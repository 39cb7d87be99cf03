import { z } from "zod";

export const providerSummarySchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  specialty: z.string(),
});
export type ProviderSummary = z.infer<typeof providerSummarySchema>;

/** Returns "First Last (Specialty)" for pickers. */
export function providerLabel(provider: ProviderSummary): string {
  return `${provider.firstName} ${provider.lastName} (${provider.specialty})`;
}
