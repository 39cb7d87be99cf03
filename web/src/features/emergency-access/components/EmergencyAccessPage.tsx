import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, useNavigate } from "react-router";
import { ApiError } from "@/lib/api/ApiError";
import { todayLocalDate } from "@/lib/format/dates";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { CheckboxField, InputField, TextAreaField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  EMERGENCY_ACCESS_MINUTES,
  emergencyAccessFormSchema,
  MAX_REASON_LENGTH,
  MIN_REASON_LENGTH,
  toEmergencyAccessBody,
  useRequestEmergencyAccess,
  type EmergencyAccessForm,
} from "@/features/emergency-access/api/requestEmergencyAccess";
import { emergencyAccessState } from "@/features/emergency-access/emergencyAccessState";

/** Message for every 404, because the server returns the same 404 whichever detail did not match. */
export const NO_MATCH_MESSAGE = "No patient matches that email and date of birth. Check both and try again.";

const FIELD_LABELS: Record<string, string> = {
  patientEmail: "Patient's email",
  dateOfBirth: "Patient's date of birth",
  reason: "Reason",
  confirmed: "Confirmation",
};

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

const EMPTY_FORM: EmergencyAccessForm = { patientEmail: "", dateOfBirth: "", reason: "", confirmed: false };

export default function EmergencyAccessPage() {
  usePageTitle("Emergency access");
  const navigate = useNavigate();
  const requestAccess = useRequestEmergencyAccess();
  const form = useForm({
    resolver: zodResolver(emergencyAccessFormSchema),
    defaultValues: EMPTY_FORM,
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const grant = await requestAccess.mutateAsync(toEmergencyAccessBody(values));
      await navigate(`/provider/patients/${encodeURIComponent(grant.patientId)}`, {
        state: emergencyAccessState(grant.expiresAt),
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        feedback.showServerError(new ApiError({ status: 404, title: error.title, detail: NO_MATCH_MESSAGE }));
      } else {
        feedback.showServerError(error);
      }
    }
  });

  return (
    <div className="narrow">
      <p>
        <Link to="/provider/patients">Back to patients</Link>
      </p>
      <h1>Emergency access</h1>
      <p>
        Use this only when a patient who is not in your care needs treatment from you now and you need their record.
        You will be able to read their profile for {EMERGENCY_ACCESS_MINUTES} minutes. You cannot change it.
      </p>
      <div className="notice notice--warning" role="note" aria-labelledby="emergency-warning-title">
        <p id="emergency-warning-title" className="strong">
          Every emergency access is recorded
        </p>
        <p>
          The patient sees your name, the time and your reason in their access history. The clinic reviews every use
          of emergency access.
        </p>
      </div>
      <ErrorSummary
        focusRequest={feedback.summaryFocusRequest}
        formError={feedback.formError}
        fieldErrors={feedback.fieldErrors}
        labelFor={labelFor}
      />
      <form className="form" noValidate onSubmit={onSubmit}>
        <InputField
          label="Patient's email"
          type="email"
          autoComplete="off"
          required
          registration={form.register("patientEmail")}
          error={errors.patientEmail?.message}
        />
        <InputField
          label="Patient's date of birth"
          type="date"
          autoComplete="off"
          max={todayLocalDate()}
          required
          registration={form.register("dateOfBirth")}
          error={errors.dateOfBirth?.message}
        />
        <TextAreaField
          label="Reason"
          hint={`Say why the patient needs care from you now (${MIN_REASON_LENGTH} to ${MAX_REASON_LENGTH} characters). The patient will read it.`}
          required
          registration={form.register("reason")}
          error={errors.reason?.message}
        />
        <CheckboxField
          label="I confirm that this patient needs care from me now, and I understand that this access is recorded, shown to the patient and reviewed."
          registration={form.register("confirmed")}
          error={errors.confirmed?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Open the record
        </button>
      </form>
    </div>
  );
}
