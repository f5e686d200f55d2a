// The Credentials provider's check of an email and password (and, for an account with two-factor sign-in, of
// a second factor), with the failed-guess limits in front of it.
import { z } from "zod";
import type { User } from "@/db/schema";
import { logInInput } from "@/server/accounts/credentials";
import { spendSecondFactor } from "@/server/accounts/two-factor/enrolment";
import { findUserByCredentials, findUserById } from "@/server/accounts/users";
import { clientAddressOf } from "@/server/net/client-address";
import { ABUSE_LIMITS, abuseRules } from "@/server/rate-limit/abuse-limits";
import { consumeRateLimits, refundRateLimitHits } from "@/server/rate-limit/consume";
import { LogInThrottledError, SecondFactorExpiredError, SecondFactorNeededError, WrongSecondFactorError } from "./login-errors";
import { pendingSignInToken, readPendingSignInToken } from "./pending-sign-in";

/** The log-in form's second step: the note of the proven password, and a code from the app or a recovery code. */
const secondFactorInput = z.object({ pendingSignIn: z.string().min(1).max(1_000), code: z.string().trim().min(1).max(40) });

/**
 * Every attempt is first recorded as a failure (so parallel guesses are counted before any scrypt runs or any
 * code is compared) and taken back when it succeeds; over the limit, even the right answer is refused until the
 * window frees a place. Passwords and second-factor codes count against the same limits.
 */
async function failureCounted(email: string, request: Request) {
  const limits = ABUSE_LIMITS.logInFailures;
  const verdict = await consumeRateLimits(
    abuseRules("log-in-failures", [
      ["account", email, limits.perAccount],
      ["address", clientAddressOf(request.headers), limits.perAddress],
    ]),
  );
  if (!verdict.isAllowed) throw new LogInThrottledError(verdict.retryAfterSeconds);
  return verdict.hitIds;
}

const signedIn = (user: User) => ({ id: user.id, email: user.email, name: user.name, role: user.role, credentialVersion: user.credentialVersion });

/**
 * The user Auth.js should sign in, or null for a wrong email or password. An account with two-factor sign-in
 * is not signed in by its password: the refusal carries a note of the proven password for the form's next step.
 */
export async function authorizeCredentials(raw: unknown, request: Request) {
  const secondStep = secondFactorInput.safeParse(raw);
  if (secondStep.success) return authorizeSecondFactor(secondStep.data, request);
  const parsed = logInInput.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const hitIds = await failureCounted(email, request);
  const user = await findUserByCredentials(email, password);
  if (!user) return null;
  await refundRateLimitHits(hitIds);
  if (user.twoFactorEnabledAt) throw new SecondFactorNeededError(pendingSignInToken(user));
  return signedIn(user);
}

async function authorizeSecondFactor(input: z.infer<typeof secondFactorInput>, request: Request) {
  const pending = readPendingSignInToken(input.pendingSignIn);
  if (!pending) throw new SecondFactorExpiredError();
  const user = await findUserById(pending.userId);
  // A password changed or reset since the first step voids it, as it voids sessions.
  if (!user?.twoFactorEnabledAt || user.credentialVersion !== pending.credentialVersion) throw new SecondFactorExpiredError();
  const hitIds = await failureCounted(user.email, request);
  if (!(await spendSecondFactor(user.id, input.code))) throw new WrongSecondFactorError();
  await refundRateLimitHits(hitIds);
  return signedIn(user);
}
