// How Auth.js refuses a log-in, and what the log-in form says about it. The error's `code` travels in the
// error redirect's URL, so it names the kind of refusal only, never whether the account exists.
import { CredentialsSignin } from "@auth/core/errors";
import { waitText } from "@/server/rate-limit/rate-limited-error";

export class LogInThrottledError extends CredentialsSignin {
  code = "too_many_attempts";
  constructor(readonly retryAfterSeconds: number) {
    super(`log-in throttled for ${retryAfterSeconds} s`);
  }
}

/** The password was right and the account has two-factor sign-in on: the form asks for a code next. */
export class SecondFactorNeededError extends CredentialsSignin {
  code = "second_factor_needed";
  constructor(readonly pendingSignIn: string) {
    super("a second factor is needed");
  }
}

export class WrongSecondFactorError extends CredentialsSignin {
  code = "wrong_second_factor";
}

/** The first step's note is too old, or the password changed since: start again from the password. */
export class SecondFactorExpiredError extends CredentialsSignin {
  code = "second_factor_expired";
}

export function logInFailureMessage(error: CredentialsSignin): string {
  if (error instanceof LogInThrottledError) return `Too many log-in attempts. Try again in ${waitText(error.retryAfterSeconds)}.`;
  if (error instanceof WrongSecondFactorError) return "That code does not match, or it has been used already. Enter the current code from your app, or a recovery code.";
  if (error instanceof SecondFactorExpiredError) return "That took too long. Enter your email and password again.";
  if (error instanceof SecondFactorNeededError) return "Enter the code from your authenticator app.";
  return "Wrong email or password.";
}
