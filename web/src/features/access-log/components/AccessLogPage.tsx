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
} from "@/features/access-log/api/listAccessLog";
import { describeActor } from "@/features/access-log/describeActor";

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
                <tr key={event.id}>
                  <td data-label="When">{formatDateTimeWithZone(event.occurredAt)}</td>
                  <td data-label="Who">{describeActor(event, user?.id)}</td>
                  <td data-label="What">{ACTION_LABELS[event.action] ?? event.action}</td>
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
