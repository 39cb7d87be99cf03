import type { FieldValues, Path, UseFormReturn } from "react-hook-form";
import { ApiError, describeError } from "@/lib/api/ApiError";
import { sentenceCase, toFormPath } from "@/lib/forms/fieldPaths";

export interface ServerErrorResult {
  /** Message for the form's error summary, or null when every error sits next to a field. */
  formError: string | null;
  /** True when a field received focus, so the caller need not focus the summary. */
  focusedField: boolean;
}

/**
 * Puts a failed submission's errors next to the matching fields.
 *
 * Field paths from a 422 (`allergies[0].substance`) are converted to form paths, renamed
 * through `fieldMap` where the form names a value differently, and set with `setError`. The
 * first matched field receives focus. Errors for fields the form does not show, and errors
 * without field details, come back as `formError`.
 */
export function applyServerErrors<Values extends FieldValues>(
  error: unknown,
  form: Pick<UseFormReturn<Values>, "setError" | "getValues" | "setFocus">,
  fieldMap: Record<string, string> = {},
): ServerErrorResult {
  if (!(error instanceof ApiError) || error.errors.length === 0) {
    return { formError: describeError(error), focusedField: false };
  }

  const unmatched: string[] = [];
  let firstPath: Path<Values> | null = null;
  for (const fieldError of error.errors) {
    const formPath = toFormPath(fieldError.field);
    const mapped = fieldMap[formPath] ?? formPath;
    // The API's paths are only known at run time, so the form checks them against its values.
    const path = mapped as Path<Values>;
    if (mapped !== "" && form.getValues(path) !== undefined) {
      form.setError(path, { type: "server", message: sentenceCase(fieldError.message) });
      firstPath ??= path;
    } else {
      const label = fieldError.field === "" ? "" : `${sentenceCase(fieldError.field)}: `;
      unmatched.push(`${label}${fieldError.message}`);
    }
  }

  if (firstPath !== null) {
    form.setFocus(firstPath);
  }
  const detail = error.detail || "Some details need fixing.";
  return {
    formError: unmatched.length > 0 ? `${detail} ${unmatched.join(". ")}` : null,
    focusedField: firstPath !== null,
  };
}
