import { z } from "zod";

export const providerSummarySchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  specialty: z.string(),
});
export type ProviderSummary = z.infer<typeof providerSummarySchema>;
