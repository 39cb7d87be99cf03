import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ApiError, describeError } from "@/lib/api/ApiError";
import { formatDateTimeWithZone } from "@/lib/format/dates";
import { ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  type SessionSummary,
  useRevokeOtherSessions,
  useRevokeSession,
  useSessions,
} from "@/features/sessions/api/sessions";

/** Marks the "End all other sessions" confirmation, as opposed to one session's id. */
const ALL_OTHERS = "all-others";

function browserName(session: SessionSummary): string {
  return session.browser ?? "Unknown browser";
}

interface ConfirmProps {
  question: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before ending sessions, with the safe choice focused. */
function Confirm({ question, confirmLabel, busy, onConfirm, onCancel }: ConfirmProps) {
  return (
    <div role="group" aria-label="Confirm" className="confirm">
      <p>{question}</p>
      <div className="button-row">
        <button type="button" className="button button--danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        {/* The button that opened this question is gone, so focus moves to the safe choice. */}
        <button type="button" className="button button--secondary" disabled={busy} onClick={onCancel} autoFocus>
          No, go back
        </button>
      </div>
    </div>
  );
}

export default function SessionsPage() {
  usePageTitle("Sessions");
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const resultRef = useRef<HTMLParagraphElement>(null);
  const busy = revoke.isPending || revokeOthers.isPending;

  // The ended session's card disappears with its buttons, so focus moves to the result.
  useEffect(() => {
    if (result !== null) {
      resultRef.current?.focus();
    }
  }, [result]);

  const endOne = (session: SessionSummary) => {
    setResult(null);
    setFailure(null);
    revoke.mutate(session.id, {
      onSuccess: () => {
        setResult(`The session in ${browserName(session)} has ended.`);
      },
      onError: (error) => {
        if (error instanceof ApiError && error.status === 404) {
          setResult(`The session in ${browserName(session)} had already ended.`);
        } else {
          setFailure(`We could not end that session. ${describeError(error)}`);
        }
      },
      onSettled: () => {
        setConfirming(null);
      },
    });
  };

  const endOthers = () => {
    setResult(null);
    setFailure(null);
    revokeOthers.mutate(undefined, {
      onSuccess: () => {
        setResult("All your other sessions have ended. You are still signed in here.");
      },
      onError: (error) => {
        setFailure(`We could not end your other sessions. ${describeError(error)}`);
      },
      onSettled: () => {
        setConfirming(null);
      },
    });
  };

  const items = sessions.data?.items ?? [];
  const others = items.filter((session) => !session.current);

  return (
    <div className="narrow">
      <p>
        <Link to="/account">Back to your account</Link>
      </p>
      <h1>Sessions</h1>
      <p>
        These are the browsers where you are signed in. If you see one you do not recognise, end it and then
        change your password.
      </p>
      <div role="status" aria-live="polite">
        {result !== null && (
          <p ref={resultRef} tabIndex={-1} className="notice notice--success">
            {result}
          </p>
        )}
      </div>
      {failure !== null && (
        <p role="alert" className="field__error">
          {failure}
        </p>
      )}
      {sessions.isPending && <LoadingState>Loading your sessions…</LoadingState>}
      {sessions.isError && (
        <ErrorState
          title="We could not load your sessions."
          error={sessions.error}
          onRetry={() => void sessions.refetch()}
        />
      )}
      {sessions.isSuccess && (
        <>
          <ul className="session-list" aria-label="Your sessions">
            {items.map((session) => (
              <li key={session.id} className="card">
                <h2 className="h3">
                  {browserName(session)}
                  {session.current && (
                    <>
                      {" "}
                      <span className="session-list__this-device">This device</span>
                    </>
                  )}
                </h2>
                <dl className="details details--compact">
                  <div>
                    <dt>Signed in</dt>
                    <dd>{formatDateTimeWithZone(session.createdAt)}</dd>
                  </div>
                  <div>
                    <dt>Last active</dt>
                    <dd>{formatDateTimeWithZone(session.lastUsedAt)}</dd>
                  </div>
                </dl>
                {!session.current && confirming !== session.id && (
                  <button
                    type="button"
                    className="button button--secondary"
                    disabled={busy}
                    onClick={() => {
                      setConfirming(session.id);
                    }}
                  >
                    End{" "}
                    <span className="visually-hidden">
                      session in {browserName(session)}, signed in {formatDateTimeWithZone(session.createdAt)}
                    </span>
                  </button>
                )}
                {!session.current && confirming === session.id && (
                  <Confirm
                    question={`End the session in ${browserName(session)}? That browser will be signed out at once.`}
                    confirmLabel="Yes, end it"
                    busy={busy}
                    onConfirm={() => {
                      endOne(session);
                    }}
                    onCancel={() => {
                      setConfirming(null);
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
          {others.length === 0 && <p>You are not signed in anywhere else.</p>}
          {others.length > 0 && confirming !== ALL_OTHERS && (
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => {
                setConfirming(ALL_OTHERS);
              }}
            >
              End all other sessions
            </button>
          )}
          {others.length > 0 && confirming === ALL_OTHERS && (
            <Confirm
              question={`Sign out of ${others.length === 1 ? "1 other session" : `${others.length} other sessions`}? You stay signed in here.`}
              confirmLabel="Yes, end them"
              busy={busy}
              onConfirm={endOthers}
              onCancel={() => {
                setConfirming(null);
              }}
            />
          )}
        </>
      )}
    </div>
  );
}
