import { useState } from "react";
import { describeError } from "@/lib/api/ApiError";
import { formatDateTimeWithZone } from "@/lib/format/dates";
import { isUpcoming, VISIT_TYPE_LABELS, type Appointment } from "@/lib/schemas/appointment";
import { StatusBadge } from "@/lib/ui/StatusBadge";
import { useCancelAppointment } from "@/features/appointments/api/cancelAppointment";

/** Renders one appointment card. Upcoming ones get a Cancel button with a confirmation step. */
export function AppointmentItem({ appointment }: { appointment: Appointment }) {
  const cancel = useCancelAppointment();
  const [confirming, setConfirming] = useState(false);
  const when = formatDateTimeWithZone(appointment.preferredStart);

  return (
    <li className="card appointment">
      <h3 className="appointment__when">{when}</h3>
      <dl className="details details--compact">
        <div>
          <dt>Provider</dt>
          <dd>{appointment.providerName}</dd>
        </div>
        <div>
          <dt>Visit type</dt>
          <dd>{VISIT_TYPE_LABELS[appointment.visitType]}</dd>
        </div>
        <div>
          <dt>Reason</dt>
          <dd>{appointment.reason}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={appointment.status} />
          </dd>
        </div>
      </dl>
      {isUpcoming(appointment) && !confirming && (
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            setConfirming(true);
          }}
        >
          Cancel appointment{" "}
<span className="visually-hidden">on {when}</span>
        </button>
      )}
      {confirming && (
        <div role="group" aria-label="Confirm cancellation" className="confirm">
          <p>Cancel your appointment on {when}? You cannot undo this.</p>
          <div className="button-row">
            <button
              type="button"
              className="button button--danger"
              disabled={cancel.isPending}
              onClick={() => {
                cancel.mutate(appointment.id, {
                  onSuccess: () => {
                    setConfirming(false);
                  },
                });
              }}
            >
              Yes, cancel it
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={cancel.isPending}
              onClick={() => {
                setConfirming(false);
                cancel.reset();
              }}
            >
              No, keep it
            </button>
          </div>
        </div>
      )}
      {cancel.isError && (
        <p role="alert" className="field__error">
          We could not cancel this appointment. {describeError(cancel.error)}
        </p>
      )}
    </li>
  );
}
