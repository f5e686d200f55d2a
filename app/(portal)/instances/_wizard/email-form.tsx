"use client";
// Who the instance's emails come from and which server sends them, with a real "Test connection". Used by
// the wizard's Email step and, after launch, by the instance's settings page.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { Field, SelectField } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import type { DraftView } from "@/server/instances/draft-view";
import { emailSettingsInput, TLS_MODE_LABELS, TLS_MODES } from "@/server/mail/smtp-settings";
import { errorFor, errorsFromCall, errorsFromZod, NO_ERRORS } from "./form-errors";

export function EmailForm({
  view,
  onSaved,
  buttons,
}: {
  view: DraftView;
  onSaved: () => void;
  buttons: (state: { isBusy: boolean; formError: string | null }) => ReactNode;
}) {
  const trpc = useTRPC();
  const saved = view.instance.emailSettings;
  const savedSmtp = saved?.relay === "own" ? saved.smtp : null;
  const [values, setValues] = useState({
    senderName: saved?.senderName ?? view.instance.name,
    senderAddress: saved?.senderAddress ?? view.instance.contactEmail ?? "",
    relay: saved?.relay ?? ("platform" as "platform" | "own"),
  });
  const [smtp, setSmtp] = useState({
    host: savedSmtp?.host ?? "",
    port: String(savedSmtp?.port ?? 587),
    tls: savedSmtp?.tls ?? "starttls",
    user: savedSmtp?.user ?? "",
  });
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState(NO_ERRORS);
  const save = useMutation(trpc.registration.saveEmail.mutationOptions());
  const test = useMutation(trpc.registration.testEmail.mutationOptions());

  const input = () => ({ ...values, ...(values.relay === "own" ? { smtp } : {}), password });
  function check() {
    const parsed = emailSettingsInput.safeParse(input());
    if (!parsed.success) {
      setErrors(errorsFromZod(parsed.error));
      return false;
    }
    setErrors(NO_ERRORS);
    return true;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!check()) return;
    try {
      await save.mutateAsync({ id: view.instance.id, values: input() });
      setPassword("");
      onSaved();
    } catch (error) {
      setErrors(errorsFromCall(error));
    }
  }

  return (
    <form onSubmit={onSubmit} className="stack" noValidate aria-label="Email">
      <Field
        label="Sender name"
        name="senderName"
        value={values.senderName}
        onChange={(e) => setValues({ ...values, senderName: e.target.value })}
        error={errorFor(errors, "senderName")}
      />
      <Field
        label="Sender address"
        name="senderAddress"
        type="email"
        value={values.senderAddress}
        onChange={(e) => setValues({ ...values, senderAddress: e.target.value })}
        error={errorFor(errors, "senderAddress")}
      />
      <fieldset className="stack">
        <legend className="font-semibold">Sending server</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="relay" value="platform" checked={values.relay === "platform"} onChange={() => setValues({ ...values, relay: "platform" })} />
          Lyceum&apos;s mail relay (recommended)
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="relay" value="own" checked={values.relay === "own"} onChange={() => setValues({ ...values, relay: "own" })} />
          My own SMTP server
        </label>
      </fieldset>
      {values.relay === "own" ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="SMTP server name" name="smtp.host" value={smtp.host} onChange={(e) => setSmtp({ ...smtp, host: e.target.value })} error={errorFor(errors, "smtp.host")} />
          <Field label="Port" name="smtp.port" inputMode="numeric" value={smtp.port} onChange={(e) => setSmtp({ ...smtp, port: e.target.value })} error={errorFor(errors, "smtp.port")} />
          <SelectField
            label="Encryption"
            name="smtp.tls"
            value={smtp.tls}
            onChange={(e) => setSmtp({ ...smtp, tls: e.target.value as typeof smtp.tls })}
            options={TLS_MODES.map((mode) => ({ value: mode, label: TLS_MODE_LABELS[mode] }))}
            error={errorFor(errors, "smtp.tls")}
          />
          <Field label="User name" name="smtp.user" autoComplete="off" value={smtp.user} onChange={(e) => setSmtp({ ...smtp, user: e.target.value })} error={errorFor(errors, "smtp.user")} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errorFor(errors, "password")}
            hint={view.instance.hasSmtpPassword ? "A password is saved. Leave this empty to keep it." : "Stored encrypted; never shown again."}
          />
          <div className="flex items-end">
            <button
              type="button"
              className="button button-secondary"
              disabled={test.isPending}
              onClick={() => {
                if (check()) test.mutate({ id: view.instance.id, values: input() });
              }}
            >
              {test.isPending ? "Testing…" : "Test connection"}
            </button>
          </div>
          {test.data || test.error ? (
            <p role="status" className={test.data?.isOk ? "level-success md:col-span-2" : "error md:col-span-2"} data-testid="smtp-test-result">
              {test.data?.message ?? test.error?.message}
            </p>
          ) : null}
        </div>
      ) : null}
      {buttons({ isBusy: save.isPending, formError: errors.form })}
    </form>
  );
}
