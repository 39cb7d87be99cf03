import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest } from "@/lib/api/client";
import { appointmentSchema } from "@/lib/schemas/appointment";

export const ageGroupSchema = z.enum(["child", "teen", "young_adult", "adult", "senior"]);
export type AgeGroup = z.infer<typeof ageGroupSchema>;

export const AGE_GROUP_LABELS: Record<AgeGroup, string> = {
  child: "Children (0 to 12)",
  teen: "Teens (13 to 17)",
  young_adult: "Young adults (18 to 39)",
  adult: "Adults (40 to 64)",
  senior: "Seniors (65 and older)",
};

export const dashboardSchema = z.object({
  firstName: z.string(),
  upcomingAppointments: z.array(appointmentSchema),
  reminders: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      title: z.string(),
      detail: z.string(),
    }),
  ),
  tipOfTheDay: z.object({
    ageGroup: ageGroupSchema,
    title: z.string(),
    body: z.string(),
  }),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

export function getDashboard(signal?: AbortSignal) {
  return apiRequest("/api/v1/patient/dashboard", dashboardSchema, { signal });
}

export function useDashboard() {
  return useQuery({
    queryKey: ["patient", "dashboard"],
    queryFn: ({ signal }) => getDashboard(signal),
  });
}
