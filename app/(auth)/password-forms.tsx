"use client";
import Link from "next/link";
import { useActionState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { Field } from "@/app/_components/field";
import { changeOwnPassword, chooseNewPassword, requestPasswordReset, type PasswordFormState } from "./actions";

export function ForgotPasswordForm() {
  const [state, action, isPending] = useActionState(requestPasswordReset, {});
  if (state.isDone) {
    return (
      <p className="card" role="status">
        If an account exists for {state.email}, we have sent it a link to choose a new password. The link works for one hour.
      </p>
    );
  }
  return (
    <form action={action} className="card stack max-w-md" noValidate>
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={state.email} error={state.fieldErrors?.email} />
      <ErrorMessage>{state.formError}</ErrorMessage>
      <button type="submit" className="button" disabled={isPending}>
        Send me a reset link
      </button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, isPending] = useActionState(chooseNewPassword, {});
  if (state.isDone) {
    return (
      <p className="card" role="status">
        Your password has been changed. <Link href="/login">Log in</Link> with it.
      </p>
    );
  }
  return (
    <form action={action} className="card stack max-w-md" noValidate>
      <input type="hidden" name="token" value={token} />
      <NewPasswordAndSubmit state={state} isPending={isPending} />
    </form>
  );
}

export function ChangePasswordForm() {
  const [state, action, isPending] = useActionState(changeOwnPassword, {});
  if (state.isDone) {
    return (
      <p className="card" role="status">
        Your password has been changed, and every other session signed out.
      </p>
    );
  }
  return (
    <form action={action} className="card stack max-w-md" noValidate>
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        error={state.fieldErrors?.currentPassword}
      />
      <NewPasswordAndSubmit state={state} isPending={isPending} />
    </form>
  );
}

/** The new password, the form's own error and the submit button: the end of both forms that set a password. */
function NewPasswordAndSubmit({ state, isPending }: { state: PasswordFormState; isPending: boolean }) {
  return (
    <>
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 10 characters."
        error={state.fieldErrors?.password}
      />
      <ErrorMessage>{state.formError}</ErrorMessage>
      <button type="submit" className="button" disabled={isPending}>
        Change password
      </button>
    </>
  );
}
