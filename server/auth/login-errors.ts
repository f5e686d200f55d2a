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

export function logInFailureMessage(error: CredentialsSignin): string {
  if (error instanceof LogInThrottledError) return `Too many log-in attempts. Try again in ${waitText(error.retryAfterSeconds)}.`;
  return "Wrong email or password.";
}
