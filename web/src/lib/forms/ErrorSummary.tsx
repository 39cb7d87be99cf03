import { useEffect, useRef } from "react";
import { fieldId, type FlatFieldError } from "@/lib/forms/fieldPaths";

interface ErrorSummaryProps {
  /** Error without a field, such as a failed sign-in or a server problem. */
  formError: string | null;
  fieldErrors: FlatFieldError[];
  /** Returns the label shown before a field's message in the list. */
  labelFor?: (path: string) => string;
  /** Focus moves to the summary whenever this number grows past 0. */
  focusRequest?: number;
}

/**
 * Lists a form's errors inside a live region, so screen readers announce them on submit.
 *
 * The region is always rendered, because assistive technology announces changes only in a
 * live region that already exists.
 */
export function ErrorSummary({ formError, fieldErrors, labelFor, focusRequest = 0 }: ErrorSummaryProps) {
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (focusRequest > 0) {
      summary.current?.focus();
    }
  }, [focusRequest]);

  const hasErrors = formError !== null || fieldErrors.length > 0;
  return (
    <div aria-live="assertive" aria-atomic="true">
      {hasErrors && (
        <div ref={summary} tabIndex={-1} className="error-summary">
          <h2 className="error-summary__title">
            There is a problem
          </h2>
          {formError !== null && <p className="error-summary__detail">{formError}</p>}
          {fieldErrors.length > 0 && (
            <ul className="error-summary__list">
              {fieldErrors.map((error) => (
                <li key={error.path}>
                  <a
                    href={`#${fieldId(error.path)}`}
                    onClick={(event) => {
                      event.preventDefault();
                      document.getElementById(fieldId(error.path))?.focus();
                    }}
                  >
                    {labelFor === undefined ? error.message : `${labelFor(error.path)}: ${error.message}`}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
