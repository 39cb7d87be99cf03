import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, Navigate, useNavigate } from "react-router";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { homePathFor } from "@/lib/session/homePath";
import { useSession } from "@/lib/session/useSession";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  registerProviderFormSchema,
  useRegisterProvider,
  type RegisterProviderForm,
} from "@/features/auth/api/registerProvider";

const FIELD_LABELS: Record<string, string> = {
  email: "Email",
  password: "Password",
  firstName: "First name",
  lastName: "Last name",
  npi: "NPI number",
  specialty: "Specialty",
  inviteCode: "Invite code",
};

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

export default function RegisterProviderPage() {
  usePageTitle("Create a provider account");
  const session = useSession();
  const navigate = useNavigate();
  const register = useRegisterProvider();
  const form = useForm<RegisterProviderForm>({
    resolver: zodResolver(registerProviderFormSchema),
    defaultValues: {
      email: "",
      password: "",
      firstName: "",
      lastName: "",
      npi: "",
      specialty: "",
      inviteCode: "",
    },
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  if (session.status === "signedIn" && session.user !== null && !register.isPending) {
    return <Navigate to={homePathFor(session.user.role)} replace />;
  }

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const result = await register.mutateAsync(values);
      await navigate(homePathFor(result.user.role), { replace: true });
    } catch (error) {
      feedback.showServerError(error);
    }
  });

  return (
    <div className="narrow">
      <h1>Create a provider account</h1>
      <p>Providers need an invite code from their clinic to create an account.</p>
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
          label="NPI number"
          inputMode="numeric"
          hint="Your 10-digit National Provider Identifier."
          required
          registration={form.register("npi")}
          error={errors.npi?.message}
        />
        <InputField
          label="Specialty"
          hint="For example: Family medicine."
          required
          registration={form.register("specialty")}
          error={errors.specialty?.message}
        />
        <InputField
          label="Invite code"
          autoComplete="off"
          required
          registration={form.register("inviteCode")}
          error={errors.inviteCode?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Create provider account
        </button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}
