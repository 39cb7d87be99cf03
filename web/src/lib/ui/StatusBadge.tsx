import { STATUS_LABELS, type AppointmentStatus } from "@/lib/schemas/appointment";

/** Shows an appointment status as a word in a tinted pill, so the meaning never rests on colour. */
export function StatusBadge({ status }: { status: AppointmentStatus }) {
  return <span className={`status status--${status}`}>{STATUS_LABELS[status]}</span>;
}
