import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Link } from "react-router";
import { z } from "zod";
import { ErrorSummary } from "@/lib/forms/ErrorSummary";
import { InputField } from "@/lib/forms/Field";
import { useFormFeedback } from "@/lib/forms/useFormFeedback";
import { ErrorState, LoadingState } from "@/lib/ui/States";
import { usePageTitle } from "@/lib/ui/usePageTitle";
import {
  codeFormSchema,
  codeSchema,
  useConfirmTotp,
  useCurrentUser,
  useDisableTotp,
  useMfaStatus,
  useRegenerateRecoveryCodes,
  useStartTotpSetup,
  type CodeForm,
  type MfaStatus,
  type TotpSetup,
} from "@/features/mfa/api/mfa";
import { QrCode } from "@/features/mfa/components/QrCode";

const FIELD_LABELS: Record<string, string> = {
  code: "6-digit code",
  newCodesCode: "6-digit code",
  turnOffCode: "6-digit code",
  currentPassword: "Current password",
};

function labelFor(path: string): string {
  return FIELD_LABELS[path] ?? path;
}

/** Renders the account page that sets up, shows and turns off two-step sign-in. */
export default function TwoStepSignInPage() {
  usePageTitle("Two-step sign-in");
  const status = useMfaStatus();
  const currentUser = useCurrentUser();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  let content;
  if (recoveryCodes !== null) {
    content = (
      <RecoveryCodesPanel
        codes={recoveryCodes}
        onDone={() => {
          setRecoveryCodes(null);
        }}
      />
    );
  } else if (status.isPending) {
    content = <LoadingState>Loading your two-step sign-in settings…</LoadingState>;
  } else if (status.isError) {
    content = (
      <ErrorState
        title="We could not load your two-step sign-in settings."
        error={status.error}
        onRetry={() => void status.refetch()}
      />
    );
  } else if (status.data.totpEnabled) {
    content = <EnabledPanel status={status.data} onNewCodes={setRecoveryCodes} />;
  } else {
    content = <SetupPanel onConfirmed={setRecoveryCodes} />;
  }

  return (
    <div className="narrow">
      <h1>Two-step sign-in</h1>
      <p>
        <Link to="/account">Back to your account</Link>
      </p>
      {currentUser.data?.mfaEnrolmentRequired === true && (
        <p role="status" className="notice notice--warning">
          Your account type requires two-step sign-in. Set it up to keep using the portal.
        </p>
      )}
      {content}
    </div>
  );
}

function SetupPanel({ onConfirmed }: { onConfirmed: (codes: string[]) => void }) {
  const start = useStartTotpSetup();
  const confirm = useConfirmTotp();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const form = useForm<CodeForm>({ resolver: zodResolver(codeFormSchema), defaultValues: { code: "" } });
  const feedback = useFormFeedback(form);

  const begin = async () => {
    setStartError(null);
    try {
      setSetup(await start.mutateAsync());
    } catch (error) {
      setStartError(error);
    }
  };

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const result = await confirm.mutateAsync(codeFormSchema.parse(values).code);
      onConfirmed(result.recoveryCodes);
    } catch (error) {
      feedback.showServerError(error);
    }
  });

  if (setup === null) {
    return (
      <section className="card" aria-labelledby="setup-heading">
        <h2 id="setup-heading">Add a second step to signing in</h2>
        <p>
          Two-step sign-in is off. When it is on, you sign in with your password and a 6-digit code from an
          authenticator app on your phone, so a stolen password alone cannot open your account.
        </p>
        {startError !== null && (
          <ErrorState
            title="We could not start the setup."
            error={startError}
            onRetry={() => void begin()}
          />
        )}
        <button type="button" className="button button--primary" disabled={start.isPending} onClick={() => void begin()}>
          Set up two-step sign-in
        </button>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="setup-heading">
      <h2 id="setup-heading">Set up your authenticator app</h2>
      <ol>
        <li>Install an authenticator app on your phone, if you do not have one.</li>
        <li>
          In the app, add an account and scan this QR code.
          <QrCode svg={setup.qrSvg} label="QR code to scan with your authenticator app" />
          <p>
            Cannot scan it? Type this setup key instead: <code className="setup-key">{setup.secret}</code>
          </p>
        </li>
        <li>Enter the 6-digit code that the app shows.</li>
      </ol>
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
          Turn on two-step sign-in
        </button>
      </form>
    </section>
  );
}

function EnabledPanel({ status, onNewCodes }: { status: MfaStatus; onNewCodes: (codes: string[]) => void }) {
  return (
    <>
      <section className="card" aria-labelledby="enabled-heading">
        <h2 id="enabled-heading">Two-step sign-in is on</h2>
        <p>You sign in with your password and a code from your authenticator app.</p>
        <p>
          Recovery codes left: <strong>{status.recoveryCodesLeft}</strong>
        </p>
      </section>
      <NewCodesForm onNewCodes={onNewCodes} />
      {status.required ? (
        <p>Your account type requires two-step sign-in, so it cannot be turned off.</p>
      ) : (
        <TurnOffForm />
      )}
    </>
  );
}

/** The enabled page has two code fields, so each form names its own for unique element ids. */
const newCodesFormSchema = z.object({ newCodesCode: codeSchema });
const turnOffFormSchema = z.object({ currentPassword: z.string().min(1, "Enter your password"), turnOffCode: codeSchema });
type TurnOffValues = z.input<typeof turnOffFormSchema>;

function NewCodesForm({ onNewCodes }: { onNewCodes: (codes: string[]) => void }) {
  const regenerate = useRegenerateRecoveryCodes();
  const form = useForm<z.input<typeof newCodesFormSchema>>({
    resolver: zodResolver(newCodesFormSchema),
    defaultValues: { newCodesCode: "" },
  });
  const feedback = useFormFeedback(form);

  const onSubmit = form.handleSubmit(async (values) => {
    feedback.reset();
    try {
      const result = await regenerate.mutateAsync(newCodesFormSchema.parse(values).newCodesCode);
      onNewCodes(result.recoveryCodes);
    } catch (error) {
      feedback.showServerError(error, { code: "newCodesCode" });
    }
  });

  return (
    <section className="card" aria-labelledby="new-codes-heading">
      <h2 id="new-codes-heading">Get new recovery codes</h2>
      <p>New codes replace all your old ones.</p>
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
          registration={form.register("newCodesCode")}
          error={form.formState.errors.newCodesCode?.message}
        />
        <button type="submit" className="button button--secondary" disabled={form.formState.isSubmitting}>
          Get new recovery codes
        </button>
      </form>
    </section>
  );
}

function TurnOffForm() {
  const disable = useDisableTotp();
  const [pending, setPending] = useState<TurnOffValues | null>(null);
  const form = useForm<TurnOffValues>({
    resolver: zodResolver(turnOffFormSchema),
    defaultValues: { currentPassword: "", turnOffCode: "" },
  });
  const feedback = useFormFeedback(form);

  const onSubmit = form.handleSubmit((values) => {
    feedback.reset();
    setPending(values);
  });

  const turnOff = async () => {
    if (pending === null) {
      return;
    }
    setPending(null);
    try {
      const values = turnOffFormSchema.parse(pending);
      await disable.mutateAsync({ currentPassword: values.currentPassword, code: values.turnOffCode });
    } catch (error) {
      feedback.showServerError(error, { code: "turnOffCode" });
    }
  };

  return (
    <section className="card" aria-labelledby="disable-heading">
      <h2 id="disable-heading">Turn off two-step sign-in</h2>
      <p>Without it, your password alone opens your account.</p>
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
          error={form.formState.errors.currentPassword?.message}
        />
        <InputField
          label="6-digit code"
          autoComplete="one-time-code"
          inputMode="numeric"
          required
          registration={form.register("turnOffCode")}
          error={form.formState.errors.turnOffCode?.message}
        />
        {pending === null ? (
          <button type="submit" className="button button--danger" disabled={disable.isPending}>
            Turn off two-step sign-in
          </button>
        ) : (
          <div role="alertdialog" aria-labelledby="disable-confirm" className="confirm">
            <p id="disable-confirm">Turn off two-step sign-in? Your password alone will open your account.</p>
            <button type="button" className="button button--danger" onClick={() => void turnOff()}>
              Yes, turn it off
            </button>{" "}
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setPending(null);
              }}
            >
              Keep it on
            </button>
          </div>
        )}
      </form>
    </section>
  );
}

function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `Patient Portal recovery codes. Each code works once.\n\n${codes.join("\n")}\n`;

  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "patient-portal-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="card" aria-labelledby="codes-heading">
      <h2 id="codes-heading">Save your recovery codes</h2>
      <p>
        If you lose your phone, each code lets you sign in once in place of a 6-digit code. This is the only time
        they are shown, so copy or download them and keep them somewhere safe.
      </p>
      <ol aria-label="Recovery codes" className="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div role="status" aria-live="polite">
        {copied && <p className="notice notice--success">The codes are copied.</p>}
      </div>
      <button type="button" className="button button--secondary" onClick={() => void copy()}>
        Copy codes
      </button>{" "}
      <button type="button" className="button button--secondary" onClick={download}>
        Download codes
      </button>{" "}
      <button type="button" className="button button--primary" onClick={onDone}>
        I have saved my codes
      </button>
    </section>
  );
}
