import type { ReactNode } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";
import { errorId, fieldId } from "@/lib/forms/fieldPaths";

interface FieldShellProps {
  id: string;
  label: ReactNode;
  hint?: string | undefined;
  error?: string | undefined;
  children: ReactNode;
  className?: string;
}

function describedBy(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint === undefined ? null : `${id}-hint`, error === undefined ? null : `${id}-error`];
  const joined = ids.filter((value) => value !== null).join(" ");
  return joined === "" ? undefined : joined;
}

function FieldShell({ id, label, hint, error, children, className }: FieldShellProps) {
  return (
    <div className={`field${error === undefined ? "" : " field--invalid"}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={`${id}-error`} className="field__error">
          <span aria-hidden="true">⚠ </span>
          <span className="visually-hidden">Error:</span>{" "}
          {error}
        </p>
      )}
      {children}
    </div>
  );
}

interface InputFieldProps {
  label: ReactNode;
  registration: UseFormRegisterReturn;
  error?: string | undefined;
  hint?: string;
  type?: "text" | "email" | "password" | "date" | "time" | "tel" | "search";
  autoComplete?: string;
  inputMode?: "text" | "numeric" | "tel" | "email";
  required?: boolean;
  min?: string;
  max?: string;
  className?: string;
}

/** Renders a labelled input whose hint and error are tied to it with aria-describedby. */
export function InputField({
  label,
  registration,
  error,
  hint,
  type = "text",
  autoComplete,
  inputMode,
  required = false,
  min,
  max,
  className,
}: InputFieldProps) {
  const id = fieldId(registration.name);
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} {...(className ? { className } : {})}>
      <input
        id={id}
        type={type}
        className="input"
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy(id, hint, error)}
        aria-required={required || undefined}
        {...(autoComplete === undefined ? {} : { autoComplete })}
        {...(inputMode === undefined ? {} : { inputMode })}
        {...(min === undefined ? {} : { min })}
        {...(max === undefined ? {} : { max })}
        {...registration}
      />
    </FieldShell>
  );
}

interface TextAreaFieldProps {
  label: ReactNode;
  registration: UseFormRegisterReturn;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  rows?: number;
}

export function TextAreaField({ label, registration, error, hint, required = false, rows = 4 }: TextAreaFieldProps) {
  const id = fieldId(registration.name);
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        rows={rows}
        className="input"
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy(id, hint, error)}
        aria-required={required || undefined}
        {...registration}
      />
    </FieldShell>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

interface SelectFieldProps {
  label: ReactNode;
  registration: UseFormRegisterReturn;
  options: SelectOption[];
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  className?: string;
}

export function SelectField({ label, registration, options, error, hint, required = false, className }: SelectFieldProps) {
  const id = fieldId(registration.name);
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} {...(className ? { className } : {})}>
      <select
        id={id}
        className="input"
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy(id, hint, error)}
        aria-required={required || undefined}
        {...registration}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

interface CheckboxFieldProps {
  label: ReactNode;
  registration: UseFormRegisterReturn;
  error?: string | undefined;
}

/** Renders a checkbox with its label beside it and its error above, as forms usually show them. */
export function CheckboxField({ label, registration, error }: CheckboxFieldProps) {
  const id = fieldId(registration.name);
  return (
    <div className={`field field--checkbox${error === undefined ? "" : " field--invalid"}`}>
      {error !== undefined && (
        <p id={errorId(registration.name)} className="field__error">
          <span aria-hidden="true">⚠ </span>
          <span className="visually-hidden">Error:</span>{" "}
          {error}
        </p>
      )}
      <div className="checkbox">
        <input
          id={id}
          type="checkbox"
          className="checkbox__input"
          aria-invalid={error === undefined ? undefined : true}
          aria-describedby={error === undefined ? undefined : errorId(registration.name)}
          {...registration}
        />
        <label htmlFor={id} className="checkbox__label">
          {label}
        </label>
      </div>
    </div>
  );
}
