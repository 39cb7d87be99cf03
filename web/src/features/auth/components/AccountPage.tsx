import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { ROLE_LABELS } from "@/lib/schemas/user";
import { useSession } from "@/lib/session/useSession";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  changePasswordFormSchema,
  useChangePassword,
  type ChangePasswordForm,
} from "@/features/auth/api/changePassword";

const FIELD_LABELS: Record<string, string> = {
  currentPassword: "Current password",
  newPassword: "New password",
};

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

export default function AccountPage() {
  usePageTitle("Account");
  const { user } = useSession();
  const changePassword = useChangePassword();
  const [changed, setChanged] = useState(false);
  const form = useForm<ChangePasswordForm>({
    resolver: zodResolver(changePasswordFormSchema),
    defaultValues: { currentPassword: "", newPassword: "" },
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    setChanged(false);
    try {
      await changePassword.mutateAsync(values);
      form.reset();
      setChanged(true);
    } catch (error) {
      feedback.showServerError(error);
    }
  });

  return (
    <div className="narrow">
      <h1>Account</h1>
      {user !== null && (
        <section className="card" aria-labelledby="account-details-heading">
          <h2 id="account-details-heading">Your account</h2>
          <dl className="details">
            <div>
              <dt>Name</dt>
              <dd>
                {user.firstName} {user.lastName}
              </dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>{user.email}</dd>
            </div>
            <div>
              <dt>Account type</dt>
              <dd>{ROLE_LABELS[user.role]}</dd>
            </div>
          </dl>
        </section>
      )}
      <section className="card" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <p>See the browsers where you are signed in, and sign out of the ones you no longer use.</p>
        <Link to="/account/sessions">Manage your sessions</Link>
      </section>
      <section className="card" aria-labelledby="two-step-heading">
        <h2 id="two-step-heading">Two-step sign-in</h2>
        <p>Add a code from an authenticator app to your password, so a stolen password alone cannot open your account.</p>
        <Link to="/account/two-step-sign-in">Manage two-step sign-in</Link>
      </section>
      <section className="card" aria-labelledby="change-password-heading">
        <h2 id="change-password-heading">Change your password</h2>
        <p>When you change your password, you are signed out on every other device.</p>
        <div role="status" aria-live="polite">
          {changed && (
            <p className="notice notice--success">
              Your password has been changed. You are still signed in here.
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
          <InputField
            label="Current password"
            type="password"
            autoComplete="current-password"
            required
            registration={form.register("currentPassword")}
            error={errors.currentPassword?.message}
          />
          <InputField
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="Use 8 to 128 characters. A phrase of three or more unrelated words works well. Common passwords, your name and your email address are not accepted."
            required
            registration={form.register("newPassword")}
            error={errors.newPassword?.message}
          />
          <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
            Change password
          </button>
        </form>
      </section>
    </div>
  );
}
