"use client";
import Link from "next/link";
import { useActionState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { Field } from "@/app/_components/field";
import type { AuthFormState } from "./actions";

type Props = {
  mode: "login" | "signup";
  action: (state: AuthFormState, formData: FormData) => Promise<AuthFormState>;
  next?: string;
};

export function AuthForm({ mode, action, next }: Props) {
  const [state, formAction, isPending] = useActionState(action, {});
  const isSignUp = mode === "signup";
  if (isSignUp && state.isDone) {
    return (
      <div className="card stack max-w-md" role="status">
        <p>
          Check your inbox: we have sent a message to {state.values?.email}. Confirm your address with the link in it, then{" "}
          <Link href={next ? `/login?next=${encodeURIComponent(next)}` : "/login"}>log in</Link>.
        </p>
      </div>
    );
  }
  if (state.pendingSignIn) {
    return (
      <form action={formAction} className="card stack max-w-md" noValidate>
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <input type="hidden" name="pendingSignIn" value={state.pendingSignIn} />
        <p>Two-factor sign-in is on for {state.values?.email}.</p>
        <Field
          label="Authentication code"
          name="code"
          autoComplete="one-time-code"
          inputMode="text"
          required
          autoFocus
          hint="The six digits your authenticator app shows for Lyceum, or one of your recovery codes."
          error={state.fieldErrors?.code}
        />
        <ErrorMessage>{state.formError}</ErrorMessage>
        <button type="submit" className="button" disabled={isPending}>
          Log in
        </button>
      </form>
    );
  }
  return (
    <form action={formAction} className="card stack max-w-md" noValidate>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      {isSignUp ? (
        <Field label="Your name" name="name" autoComplete="name" defaultValue={state.values?.name} error={state.fieldErrors?.name} />
      ) : null}
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email}
        error={state.fieldErrors?.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={isSignUp ? "new-password" : "current-password"}
        required
        minLength={isSignUp ? 10 : undefined}
        hint={isSignUp ? "At least 10 characters." : undefined}
        error={state.fieldErrors?.password}
      />
      <ErrorMessage>{state.formError}</ErrorMessage>
      <button type="submit" className="button" disabled={isPending}>
        {isSignUp ? "Create account" : "Log in"}
      </button>
      <p className="text-sm text-slate-600">
        {isSignUp ? (
          <>
            Already have an account? <Link href="/login">Log in</Link>
          </>
        ) : (
          <>
            New to Lyceum? <Link href="/signup">Create an account</Link> · <Link href="/forgot-password">Forgot your password?</Link>
          </>
        )}
      </p>
    </form>
  );
}
