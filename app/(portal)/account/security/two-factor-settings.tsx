"use client";
// Turning two-factor sign-in on (scan, confirm with a code, keep the recovery codes) and off.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { Field } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";

type Props = { isOn: boolean; enabledAt: string | null; unusedRecoveryCodes: number };

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="card stack" role="status">
      <h2>Your recovery codes</h2>
      <p>
        Keep these somewhere safe, apart from your phone. Each one logs you in once if you lose the app. They are shown only now.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Enrolment() {
  const trpc = useTRPC();
  const router = useRouter();
  const start = useMutation(trpc.account.twoFactor.start.mutationOptions());
  const confirm = useMutation(trpc.account.twoFactor.confirm.mutationOptions({ onSuccess: () => router.refresh() }));
  const [code, setCode] = useState("");
  if (confirm.data) {
    return (
      <>
        <p role="status">Two-factor sign-in is on.</p>
        <RecoveryCodes codes={confirm.data.recoveryCodes} />
      </>
    );
  }
  if (!start.data) {
    return (
      <div className="stack">
        <button type="button" className="button" onClick={() => start.mutate()} disabled={start.isPending}>
          Set up two-factor sign-in
        </button>
        <ErrorMessage>{start.error?.message}</ErrorMessage>
      </div>
    );
  }
  return (
    <form
      className="card stack max-w-md"
      onSubmit={(event) => {
        event.preventDefault();
        confirm.mutate({ code });
      }}
    >
      <p>Scan this code with your authenticator app, or enter the key below by hand.</p>
      {/* Drawn on the server from the otpauth address: nothing is sent to an image service. */}
      <div className="qr-code" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: start.data.qrCodeSvg }} />
      <p>
        Key: <code data-testid="two-factor-secret">{start.data.secret}</code>
      </p>
      <Field
        label="Code from the app"
        name="code"
        autoComplete="one-time-code"
        inputMode="numeric"
        required
        value={code}
        onChange={(event) => setCode(event.target.value)}
        hint="Enter the six digits the app shows now, to check it is set up."
        error={confirm.error?.data?.fieldErrors?.code ?? confirm.error?.message}
      />
      <button type="submit" className="button" disabled={confirm.isPending}>
        Turn on two-factor sign-in
      </button>
    </form>
  );
}

function Management({ enabledAt, unusedRecoveryCodes }: { enabledAt: string | null; unusedRecoveryCodes: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const regenerate = useMutation(trpc.account.twoFactor.regenerateRecoveryCodes.mutationOptions());
  const disable = useMutation(trpc.account.twoFactor.disable.mutationOptions({ onSuccess: () => router.refresh() }));
  const [regenerateCode, setRegenerateCode] = useState("");
  const [password, setPassword] = useState("");
  const [disableCode, setDisableCode] = useState("");
  return (
    <div className="stack">
      <p role="status">
        Two-factor sign-in is on{enabledAt ? <> since <time dateTime={enabledAt}>{new Date(enabledAt).toUTCString()}</time></> : null}.{" "}
        {unusedRecoveryCodes} unused recovery {unusedRecoveryCodes === 1 ? "code" : "codes"} left.
      </p>
      {regenerate.data ? <RecoveryCodes codes={regenerate.data.recoveryCodes} /> : null}
      <form
        className="card stack max-w-md"
        onSubmit={(event) => {
          event.preventDefault();
          regenerate.mutate({ code: regenerateCode });
        }}
      >
        <h2>New recovery codes</h2>
        <Field
          label="Code from the app"
          name="regenerateCode"
          autoComplete="one-time-code"
          required
          value={regenerateCode}
          onChange={(event) => setRegenerateCode(event.target.value)}
          hint="Your old recovery codes stop working."
          error={regenerate.error?.message}
        />
        <button type="submit" className="button button-secondary" disabled={regenerate.isPending}>
          Make new recovery codes
        </button>
      </form>
      <form
        className="card stack max-w-md"
        onSubmit={(event) => {
          event.preventDefault();
          disable.mutate({ password, code: disableCode });
        }}
      >
        <h2>Turn off two-factor sign-in</h2>
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
        <Field
          label="Code from the app, or a recovery code"
          name="disableCode"
          autoComplete="one-time-code"
          required
          value={disableCode}
          onChange={(event) => setDisableCode(event.target.value)}
        />
        <ErrorMessage>{disable.error?.message}</ErrorMessage>
        <button type="submit" className="button button-danger" disabled={disable.isPending}>
          Turn off
        </button>
      </form>
    </div>
  );
}

export function TwoFactorSettings({ isOn, enabledAt, unusedRecoveryCodes }: Props) {
  return isOn ? <Management enabledAt={enabledAt} unusedRecoveryCodes={unusedRecoveryCodes} /> : <Enrolment />;
}
