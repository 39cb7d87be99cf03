import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError } from "@/lib/api/ApiError";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import type { Session } from "@/lib/schemas/user";
import { codeSchema, recoveryCodeSchema, useFinishSignIn, type MfaChallenge } from "@/features/mfa/api/mfa";

const WRONG_CODE =
  "That code is not correct or was already used. Enter the newest code, or start again if this took more than 5 minutes.";

const codeStepSchema = z.object({ code: codeSchema });
const recoveryStepSchema = z.object({ recoveryCode: recoveryCodeSchema });

const FIELD_LABELS: Record<string, string> = { code: "6-digit code", recoveryCode: "Recovery code" };

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

interface SecondStepFormProps {
  challenge: MfaChallenge;
  onSignedIn: (session: Session) => void;
  /** Goes back to the email and password step. */
  onRestart: () => void;
}

/** Renders the second sign-in step: a code from the authenticator app, or a recovery code. */
export function SecondStepForm({ challenge, onSignedIn, onRestart }: SecondStepFormProps) {
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);
  return useRecoveryCode ? (
    <RecoveryCodeStep
      challenge={challenge}
      onSignedIn={onSignedIn}
      onRestart={onRestart}
      onSwitch={() => {
        setUseRecoveryCode(false);
      }}
    />
  ) : (
    <CodeStep
      challenge={challenge}
      onSignedIn={onSignedIn}
      onRestart={onRestart}
      onSwitch={() => {
        setUseRecoveryCode(true);
      }}
    />
  );
}

interface StepProps extends SecondStepFormProps {
  onSwitch: () => void;
}

/** Shows a 401 as the one wrong-code message, and any other error with the server's message. */
function showError(feedback: ReturnType<typeof useFormFeedback>, error: unknown) {
  if (error instanceof ApiError && error.status === 401) {
    feedback.showServerError(new ApiError({ status: 401, title: "Not signed in", detail: WRONG_CODE }));
  } else {
    feedback.showServerError(error);
  }
}

function CodeStep({ challenge, onSignedIn, onRestart, onSwitch }: StepProps) {
  const finish = useFinishSignIn();
  const form = useForm<z.input<typeof codeStepSchema>>({
    resolver: zodResolver(codeStepSchema),
    defaultValues: { code: "" },
  });
  const feedback = useFormFeedback(form);

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const { code } = codeStepSchema.parse(values);
      onSignedIn(await finish.mutateAsync({ mfaToken: challenge.mfaToken, code }));
    } catch (error) {
      showError(feedback, error);
    }
  });

  return (
    <>
      <p>Open your authenticator app and enter the 6-digit code it shows for Patient Portal.</p>
      <ErrorSummary
        focusRequest={feedback.summaryFocusRequest}
        formError={feedback.formError}
        fieldErrors={feedback.fieldErrors}
        labelFor={labelFor}
      />
      <form className="form" noValidate onSubmit={onSubmit}>
        <InputField
          label="6-digit code"
          autoComplete="one-time-code"
          inputMode="numeric"
          required
          registration={form.register("code")}
          error={form.formState.errors.code?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Verify and sign in
        </button>
      </form>
      <p>
        <button type="button" className="button button--link" onClick={onSwitch}>
          Use a recovery code instead
        </button>
      </p>
      <p>
        <button type="button" className="button button--link" onClick={onRestart}>
          Start again
        </button>
      </p>
    </>
  );
}

function RecoveryCodeStep({ challenge, onSignedIn, onRestart, onSwitch }: StepProps) {
  const finish = useFinishSignIn();
  const form = useForm<z.input<typeof recoveryStepSchema>>({
    resolver: zodResolver(recoveryStepSchema),
    defaultValues: { recoveryCode: "" },
  });
  const feedback = useFormFeedback(form);

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const { recoveryCode } = recoveryStepSchema.parse(values);
      onSignedIn(await finish.mutateAsync({ mfaToken: challenge.mfaToken, recoveryCode }));
    } catch (error) {
      showError(feedback, error);
    }
  });

  return (
    <>
      <p>Enter one of the recovery codes you saved when you set up two-step sign-in. Each code works once.</p>
      <ErrorSummary
        focusRequest={feedback.summaryFocusRequest}
        formError={feedback.formError}
        fieldErrors={feedback.fieldErrors}
        labelFor={labelFor}
      />
      <form className="form" noValidate onSubmit={onSubmit}>
        <InputField
          label="Recovery code"
          autoComplete="off"
          required
          registration={form.register("recoveryCode")}
          error={form.formState.errors.recoveryCode?.message}
        />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Verify and sign in
        </button>
      </form>
      <p>
        <button type="button" className="button button--link" onClick={onSwitch}>
          Use a code from your app instead
        </button>
      </p>
      <p>
        <button type="button" className="button button--link" onClick={onRestart}>
          Start again
        </button>
      </p>
    </>
  );
}
