import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link, Navigate, useNavigate } from "react-router";
import { ApiError } from "@/lib/api/ApiError";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { homePathFor } from "@/lib/session/homePath";
import { useSession } from "@/lib/session/useSession";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import { isMfaChallenge, signInFormSchema, useSignIn, type SignInForm } from "@/features/auth/api/signIn";
import type { MfaChallenge } from "@/features/mfa/api/mfa";
import { SecondStepForm } from "@/features/mfa/components/SecondStepForm";

const WRONG_CREDENTIALS = "The email or password is not correct. Check them and try again.";

export default function SignInPage() {
  usePageTitle("Sign in");
  const session = useSession();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const form = useForm<SignInForm>({
    resolver: zodResolver(signInFormSchema),
    defaultValues: { email: "", password: "" },
  });
  const feedback = useFormFeedback(form);
  const { errors } = form.formState;

  if (session.status === "signedIn" && session.user !== null && !signIn.isPending) {
    return <Navigate to={homePathFor(session.user.role)} replace />;
  }

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const result = await signIn.mutateAsync(values);
      if (isMfaChallenge(result)) {
        setChallenge(result);
        return;
      }
      await navigate(homePathFor(result.user.role), { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        feedback.showServerError(new ApiError({ status: 401, title: "Not signed in", detail: WRONG_CREDENTIALS }));
      } else {
        feedback.showServerError(error);
      }
    }
  });

  if (challenge !== null) {
    return (
      <div className="narrow">
        <h1>Enter your sign-in code</h1>
        <SecondStepForm
          challenge={challenge}
          onSignedIn={(result) => void navigate(homePathFor(result.user.role), { replace: true })}
          onRestart={() => {
            form.reset();
            setChallenge(null);
          }}
        />
      </div>
    );
  }

  return (
    <div className="narrow">
      <h1>Sign in</h1>
      {session.notice !== null && (
        <p role="status" className="notice">
          {session.notice}
        </p>
      )}
      <ErrorSummary focusRequest={feedback.summaryFocusRequest} formError={feedback.formError} fieldErrors={feedback.fieldErrors} />
      <form className="form" noValidate onSubmit={onSubmit}>
        <InputField
          label="Email"
          type="email"
          autoComplete="username"
          required
          registration={form.register("email")}
          error={errors.email?.message}
        />
        <InputField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          registration={form.register("password")}
          error={errors.password?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Sign in
        </button>
      </form>
      <p>
        New patient? <Link to="/register">Create an account</Link>
      </p>
      <p>
        Provider with an invite code? <Link to="/register/provider">Create a provider account</Link>
      </p>
    </div>
  );
}
