import { useState } from "react";
import { formatDateTimeWithZone } from "@/lib/format/dates";
import { pageCount } from "@/lib/schemas/page";
import { useSession } from "@/lib/session/useSession";
import { Pager } from "@/lib/ui/Pager";
import { EmptyState, ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  ACTION_LABELS,
  OUTCOME_LABELS,
  useAccessLog,
  type AccessEvent,
} from "@/features/access-log/api/listAccessLog";
import { describeActor } from "@/features/access-log/describeActor";

/** Describes the action, with a badge and the provider's reason for emergency access. */
function EventDescription({ event }: { event: AccessEvent }) {
  const label = ACTION_LABELS[event.action] ?? event.action;
  if (!event.emergency) {
    return label;
  }
  return (
    <div className="access-event">
      <span className="emergency-badge">Emergency access</span>
      <span>{label}</span>
      {event.reason !== null && <span className="access-event__reason">Reason given: “{event.reason}”</span>}
    </div>
  );
}

export default function AccessLogPage() {
  usePageTitle("Access history");
  const { user } = useSession();
  const [page, setPage] = useState(1);
  const accessLog = useAccessLog(page);

  return (
    <>
      <h1>Access history</h1>
      <p>This list shows who opened or changed your record, and when. The newest entries come first.</p>
      {accessLog.isPending && <LoadingState>Loading your access history…</LoadingState>}
      {accessLog.isError && (
        <ErrorState
          title="We could not load your access history."
          error={accessLog.error}
          onRetry={() => void accessLog.refetch()}
        />
      )}
      {accessLog.isSuccess && accessLog.data.items.length === 0 && (
        <EmptyState>
          <p>No one has opened your record yet. Entries show here when you or your care team use it.</p>
        </EmptyState>
      )}
      {accessLog.isSuccess && accessLog.data.items.some((event) => event.emergency) && (
        <div className="notice notice--warning" role="note" aria-labelledby="emergency-notice-title">
          <p id="emergency-notice-title" className="strong">
            This page includes emergency access
          </p>
          <p>
            A provider who is not part of your care opened your record in an emergency, or tried to. These entries are
            marked “Emergency access” and show the reason the provider gave. If you do not recognise one, contact the
            clinic.
          </p>
        </div>
      )}
      {accessLog.isSuccess && accessLog.data.items.length > 0 && (
        <>
          <table className="table table--stack">
            <caption className="visually-hidden">Who accessed your record</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {accessLog.data.items.map((event) => (
                <tr key={event.id} className={event.emergency ? "table__row--emergency" : undefined}>
                  <td data-label="When">{formatDateTimeWithZone(event.occurredAt)}</td>
                  <td data-label="Who">{describeActor(event, user?.id)}</td>
                  <td data-label="What">
                    <EventDescription event={event} />
                  </td>
                  <td data-label="Outcome">{OUTCOME_LABELS[event.outcome] ?? event.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Access history"
            page={page}
            pageCount={pageCount(accessLog.data)}
            onPageChange={setPage}
            busy={accessLog.isFetching}
          />
        </>
      )}
    </>
  );
}
