import { useEffect, useRef, useState, type RefObject } from "react";
import type { FieldValues, UseFormReturn } from "react-hook-form";
import { flattenFieldErrors, type FlatFieldError } from "@/lib/forms/fieldPaths";
import { applyServerErrors } from "@/lib/forms/serverErrors";

export interface FormFeedback {
  formError: string | null;
  fieldErrors: FlatFieldError[];
  summaryRef: RefObject<HTMLDivElement | null>;
  /** Clears the form-level error; call at the start of each submission. */
  reset: () => void;
  /** Shows a failed submission's errors and moves focus to the first field or the summary. */
  showServerError: (error: unknown, fieldMap?: Record<string, string>) => void;
}

/** Tracks the error summary of one react-hook-form form. */
export function useFormFeedback<Values extends FieldValues>(form: UseFormReturn<Values>): FormFeedback {
  const [formError, setFormError] = useState<string | null>(null);
  const [summaryFocusRequest, setSummaryFocusRequest] = useState(0);
  const summaryRef = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    if (summaryFocusRequest > 0) {
      summaryRef.current?.focus();
    }
  }, [summaryFocusRequest]);

  return {
    formError,
    fieldErrors: flattenFieldErrors(form.formState.errors),
    summaryRef,
    reset: () => {
      setFormError(null);
    },
    showServerError: (error, fieldMap) => {
      const result = applyServerErrors(error, form, fieldMap);
      setFormError(result.formError);
      if (!result.focusedField) {
        setSummaryFocusRequest((count) => count + 1);
      }
    },
  };
}
