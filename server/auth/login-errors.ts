// What the log-in form says when Auth.js refuses a log-in.
import type { CredentialsSignin } from "@auth/core/errors";

export function logInFailureMessage(_error: CredentialsSignin): string {
  return "Wrong email or password.";
}
