import { useState } from "react";
import type { FieldValues, UseFormReturn } from "react-hook-form";
import { flattenFieldErrors, type FlatFieldError } from "@/lib/forms/fieldPaths";
import { applyServerErrors } from "@/lib/forms/serverErrors";

export interface FormFeedback {
  formError: string | null;
  fieldErrors: FlatFieldError[];
  /** Counter for ErrorSummary, where each increase moves focus to the summary. */
  summaryFocusRequest: number;
  /** Clears the form-level error at the start of each submission. */
  reset: () => void;
  /** Shows a failed submission's errors and moves focus to the first field or the summary. */
  showServerError: (error: unknown, fieldMap?: Record<string, string>) => void;
}

/** Tracks the error summary of one react-hook-form form. */
export function useFormFeedback<Values extends FieldValues, Context, Transformed extends FieldValues>(
  form: UseFormReturn<Values, Context, Transformed>,
): FormFeedback {
  const [formError, setFormError] = useState<string | null>(null);
  const [summaryFocusRequest, setSummaryFocusRequest] = useState(0);

  return {
    formError,
    fieldErrors: flattenFieldErrors(form.formState.errors),
    summaryFocusRequest,
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
