import { useState } from "react";
import { pageCount } from "@/lib/schemas/page";
import { STATUS_LABELS, appointmentStatusSchema } from "@/lib/schemas/appointment";
import { Pager } from "@/lib/ui/Pager";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  useProviderAppointments,
  type StatusFilter,
} from "@/features/provider-appointments/api/listProviderAppointments";
import { RequestCard } from "@/features/provider-appointments/components/RequestCard";

const FILTER_OPTIONS: { value: StatusFilter; label: string }[] = [
  ...appointmentStatusSchema.options.map((status) => ({ value: status, label: STATUS_LABELS[status] })),
  { value: "all", label: "All" },
];

function isStatusFilter(value: string): value is StatusFilter {
  return FILTER_OPTIONS.some((option) => option.value === value);
}

export default function ProviderAppointmentsPage() {
  usePageTitle("Appointment requests");
  const [status, setStatus] = useState<StatusFilter>("requested");
  const [page, setPage] = useState(1);
  const appointments = useProviderAppointments(status, page);
  const statusLabel = status === "all" ? "" : `${STATUS_LABELS[status].toLowerCase()} `;

  return (
    <>
      <h1>Appointment requests</h1>
      <div className="field field--inline">
        <label htmlFor="status-filter" className="field__label">
          Show appointments that are
        </label>
        <select
          id="status-filter"
          className="input"
          value={status}
          onChange={(event) => {
            if (isStatusFilter(event.target.value)) {
              setStatus(event.target.value);
              setPage(1);
            }
          }}
        >
          {FILTER_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>

      {appointments.isPending && <LoadingState>Loading appointments…</LoadingState>}
      {appointments.isError && (
        <ErrorState
          title="We could not load appointments."
          error={appointments.error}
          onRetry={() => void appointments.refetch()}
        />
      )}
      {appointments.isSuccess && appointments.data.items.length === 0 && (
        <EmptyState>
          <p>
            No {statusLabel}appointments.{" "}
            {status === "requested"
              ? "New requests from patients show up here."
              : "Choose another status above to see other appointments."}
          </p>
        </EmptyState>
      )}
      {appointments.isSuccess && appointments.data.items.length > 0 && (
        <>
          <ul className="card-list" aria-busy={appointments.isFetching}>
            {appointments.data.items.map((appointment) => (
              <RequestCard key={appointment.id} appointment={appointment} />
            ))}
          </ul>
          <Pager
            label="Appointments"
            page={page}
            pageCount={pageCount(appointments.data)}
            onPageChange={setPage}
            busy={appointments.isFetching}
          />
        </>
      )}
    </>
  );
}
