// The Credentials provider's check of an email and password, with the failed-guess limits in front of it.
import { logInInput } from "@/server/accounts/credentials";
import { findUserByCredentials } from "@/server/accounts/users";
import { clientAddressOf } from "@/server/net/client-address";
import { ABUSE_LIMITS, abuseRules } from "@/server/rate-limit/abuse-limits";
import { consumeRateLimits, refundRateLimitHits } from "@/server/rate-limit/consume";
import { LogInThrottledError } from "./login-errors";

/**
 * The user Auth.js should sign in, or null for a wrong email or password. Every attempt is first recorded
 * as a failure (so parallel guesses are counted before any scrypt runs) and taken back when it succeeds;
 * over the limit, even the right password is refused until the window frees a place.
 */
export async function authorizeCredentials(raw: unknown, request: Request) {
  const parsed = logInInput.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const limits = ABUSE_LIMITS.logInFailures;
  const verdict = await consumeRateLimits(
    abuseRules("log-in-failures", [
      ["account", email, limits.perAccount],
      ["address", clientAddressOf(request.headers), limits.perAddress],
    ]),
  );
  if (!verdict.isAllowed) throw new LogInThrottledError(verdict.retryAfterSeconds);
  const user = await findUserByCredentials(email, password);
  if (!user) return null;
  await refundRateLimitHits(verdict.hitIds);
  return { id: user.id, email: user.email, name: user.name, role: user.role, credentialVersion: user.credentialVersion };
}
