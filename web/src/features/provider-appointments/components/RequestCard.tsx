import { useState } from "react";
import { describeError } from "@/lib/api/ApiError";
import { formatDateTimeWithZone } from "@/lib/format/dates";
import { VISIT_TYPE_LABELS, type Appointment } from "@/lib/schemas/appointment";
import { StatusBadge } from "@/lib/ui/StatusBadge";
import { useConfirmAppointment } from "@/features/provider-appointments/api/confirmAppointment";
import { useDeclineAppointment } from "@/features/provider-appointments/api/declineAppointment";

/** Renders one appointment for a provider, with Confirm and Decline buttons while it is requested. */
export function RequestCard({ appointment }: { appointment: Appointment }) {
  const confirm = useConfirmAppointment();
  const decline = useDeclineAppointment();
  const [confirmingDecline, setConfirmingDecline] = useState(false);
  const when = formatDateTimeWithZone(appointment.preferredStart);
  const busy = confirm.isPending || decline.isPending;
  const failure = confirm.error ?? decline.error;

  return (
    <li className="card appointment">
      <h2 className="h3 appointment__when">{when}</h2>
      <dl className="details details--compact">
        <div>
          <dt>Patient</dt>
          <dd>{appointment.patientName}</dd>
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
      {appointment.status === "requested" && !confirmingDecline && (
        <div className="button-row">
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() => {
              confirm.mutate(appointment.id);
            }}
          >
            Confirm{" "}
<span className="visually-hidden">appointment for {appointment.patientName}</span>
          </button>
          <button
            type="button"
            className="button button--secondary"
            disabled={busy}
            onClick={() => {
              setConfirmingDecline(true);
            }}
          >
            Decline{" "}
<span className="visually-hidden">appointment for {appointment.patientName}</span>
          </button>
        </div>
      )}
      {appointment.status === "requested" && confirmingDecline && (
        <div role="group" aria-label="Confirm decline" className="confirm">
          <p>
            Decline {appointment.patientName}’s request for {when}? The patient will need to request a new time.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => {
                decline.mutate(appointment.id, {
                  onSettled: () => {
                    setConfirmingDecline(false);
                  },
                });
              }}
            >
              Yes, decline it
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={busy}
              onClick={() => {
                setConfirmingDecline(false);
              }}
            >
              No, go back
            </button>
          </div>
        </div>
      )}
      {failure !== null && (
        <p role="alert" className="field__error">
          We could not update this appointment. {describeError(failure)}
        </p>
      )}
    </li>
  );
}
