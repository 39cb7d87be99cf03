import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField, SelectField, TextAreaField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { formatDateTimeWithZone, localTimeZone, todayLocalDate } from "@/lib/format/dates";
import { VISIT_TYPE_LABELS } from "@/lib/schemas/appointment";
import { ProviderSelectField } from "@/features/providers/components/ProviderSelectField";
import {
  appointmentRequestFormSchema,
  MAX_REASON_LENGTH,
  toAppointmentRequestBody,
  useRequestAppointment,
  type AppointmentRequestForm as FormValues,
} from "@/features/appointments/api/requestAppointment";

const FIELD_LABELS: Record<string, string> = {
  providerId: "Provider",
  preferredDate: "Date",
  preferredTime: "Time",
  visitType: "Visit type",
  reason: "Reason for visit",
};

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

const EMPTY_FORM: FormValues = {
  providerId: "",
  preferredDate: "",
  preferredTime: "",
  visitType: "",
  reason: "",
};

/** Renders the appointment request form. A server error on `preferredStart` shows by the date. */
export function AppointmentRequestForm() {
  const requestAppointment = useRequestAppointment();
  const [requestedAt, setRequestedAt] = useState<string | null>(null);
  const form = useForm({
    resolver: zodResolver(appointmentRequestFormSchema),
    defaultValues: EMPTY_FORM,
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    setRequestedAt(null);
    try {
      const appointment = await requestAppointment.mutateAsync(toAppointmentRequestBody(values));
      form.reset(EMPTY_FORM);
      setRequestedAt(appointment.preferredStart);
    } catch (error) {
      feedback.showServerError(error, { preferredStart: "preferredDate" });
    }
  });

  return (
    <>
      <div role="status" aria-live="polite">
        {requestedAt !== null && (
          <p className="notice notice--success">
            Your request for {formatDateTimeWithZone(requestedAt)} was sent. The clinic will confirm it.
          </p>
        )}
      </div>
      <ErrorSummary
        focusRequest={feedback.summaryFocusRequest}
        formError={feedback.formError}
        fieldErrors={feedback.fieldErrors}
        labelFor={labelFor}
      />
      <form className="form" noValidate onSubmit={onSubmit}>
        <ProviderSelectField
          label="Provider"
          placeholder="Choose a provider"
          required
          registration={form.register("providerId")}
          error={errors.providerId?.message}
        />
        <fieldset className="fieldset">
          <legend>Preferred date and time</legend>
          <p className="field__hint">Times are in your time zone ({localTimeZone()}).</p>
          <div className="field-row">
            <InputField
              label="Date"
              type="date"
              min={todayLocalDate()}
              required
              registration={form.register("preferredDate")}
              error={errors.preferredDate?.message}
            />
            <InputField
              label="Time"
              type="time"
              required
              registration={form.register("preferredTime")}
              error={errors.preferredTime?.message}
            />
          </div>
        </fieldset>
        <SelectField
          label="Visit type"
          required
          registration={form.register("visitType")}
          error={errors.visitType?.message}
          options={[
            { value: "", label: "Choose a visit type" },
            { value: "in_person", label: VISIT_TYPE_LABELS.in_person },
            { value: "telehealth", label: VISIT_TYPE_LABELS.telehealth },
          ]}
        />
        <TextAreaField
          label="Reason for visit"
          hint={`Say briefly why you want to see the provider (up to ${MAX_REASON_LENGTH} characters).`}
          required
          registration={form.register("reason")}
          error={errors.reason?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Request appointment
        </button>
      </form>
    </>
  );
}
