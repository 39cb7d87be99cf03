import { ROLE_LABELS } from "@/lib/schemas/user";
import type { AccessEvent } from "@/features/access-log/api/listAccessLog";

/** Returns "You" for the signed-in user, "Unknown" when no one was signed in, else name and role. */
export function describeActor(event: AccessEvent, currentUserId: string | undefined): string {
  if (event.actorId === null) {
    return "Unknown";
  }
  if (event.actorId === currentUserId) {
    return "You";
  }
  const name = event.actorName ?? "Unknown person";
  return event.actorRole === null ? name : `${name} (${ROLE_LABELS[event.actorRole]})`;
}
