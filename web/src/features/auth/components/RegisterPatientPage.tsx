import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, Navigate, useNavigate } from "react-router";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { CheckboxField, InputField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { todayLocalDate } from "@/lib/format/dates";
import { homePathFor } from "@/lib/session/homePath";
import { useSession } from "@/lib/session/useSession";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  registerPatientFormSchema,
  useRegisterPatient,
  type RegisterPatientForm,
} from "@/features/auth/api/registerPatient";
import { PRIVACY_POLICY_VERSION } from "@/features/public/PrivacyPage";

const FIELD_LABELS: Record<string, string> = {
  email: "Email",
  password: "Password",
  firstName: "First name",
  lastName: "Last name",
  dateOfBirth: "Date of birth",
  consent: "Privacy policy",
};

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

export default function RegisterPatientPage() {
  usePageTitle("Create an account");
  const session = useSession();
  const navigate = useNavigate();
  const register = useRegisterPatient();
  const form = useForm<RegisterPatientForm>({
    resolver: zodResolver(registerPatientFormSchema),
    defaultValues: { email: "", password: "", firstName: "", lastName: "", dateOfBirth: "", consent: false },
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  if (session.status === "signedIn" && session.user !== null && !register.isPending) {
    return <Navigate to={homePathFor(session.user.role)} replace />;
  }

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const result = await register.mutateAsync({ ...values, consentVersion: PRIVACY_POLICY_VERSION });
      await navigate(homePathFor(result.user.role), { replace: true });
    } catch (error) {
      // A 422 on consentVersion means the policy changed, so the person must agree to the new one.
      feedback.showServerError(error, { consentVersion: "consent" });
    }
  });

  return (
    <div className="narrow">
      <h1>Create an account</h1>
      <p>Create a patient account to see your appointments, reminders and health details.</p>
      <ErrorSummary
        focusRequest={feedback.summaryFocusRequest}
        formError={feedback.formError}
        fieldErrors={feedback.fieldErrors}
        labelFor={labelFor}
      />
      <form className="form" noValidate onSubmit={onSubmit}>
        <InputField
          label="Email"
          type="email"
          autoComplete="email"
          required
          registration={form.register("email")}
          error={errors.email?.message}
        />
        <InputField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="Use 8 to 128 characters. A phrase of three or more unrelated words works well. Common passwords, your name and your email address are not accepted."
          required
          registration={form.register("password")}
          error={errors.password?.message}
        />
        <InputField
          label="First name"
          autoComplete="given-name"
          required
          registration={form.register("firstName")}
          error={errors.firstName?.message}
        />
        <InputField
          label="Last name"
          autoComplete="family-name"
          required
          registration={form.register("lastName")}
          error={errors.lastName?.message}
        />
        <InputField
          label="Date of birth"
          type="date"
          autoComplete="bday"
          max={todayLocalDate()}
          required
          registration={form.register("dateOfBirth")}
          error={errors.dateOfBirth?.message}
        />
        <CheckboxField
          label={
            <>
              I have read and agree to the <Link to="/privacy">privacy policy</Link>
            </>
          }
          registration={form.register("consent")}
          error={errors.consent?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Create account
        </button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}
