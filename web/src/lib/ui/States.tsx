import type { ReactNode } from "react";
import { describeError } from "@/lib/api/ApiError";

/** Announces that content is loading, in words as well as with the spinner. */
export function LoadingState({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="state state--loading">
      <span className="spinner" aria-hidden="true" />
      <span>{children}</span>
    </div>
  );
}

/** Tells the person that a list is empty and what they can do next. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="state state--empty">{children}</div>;
}

interface ErrorStateProps {
  /** Sentence naming the failure, such as "We could not load your appointments." */
  title: string;
  error: unknown;
  onRetry: () => void;
}

/** Says what failed and offers a retry. */
export function ErrorState({ title, error, onRetry }: ErrorStateProps) {
  return (
    <div role="alert" className="state state--error">
      <p className="state__title">{title}</p>
      <p>{describeError(error)}</p>
      <button type="button" className="button button--secondary" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}
