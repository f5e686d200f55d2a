// The limits on what strangers can make the portal do for free: guess passwords, create accounts and drafts,
// and send email to any address. Each is counted per account (or per target email address) and per client
// address. Per-address limits are much higher than per-account ones: many people can share one address
// (a school's NAT, the end-to-end suite's single browser), while one account needs only a few attempts.
import { consumeRateLimits, type RateLimitRule } from "./consume";
import { RateLimitedError } from "./rate-limited-error";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const ABUSE_LIMITS = {
  /** Failed log-ins: an account, whoever guesses; an address, whichever accounts it guesses. */
  logInFailures: { perAccount: { limit: 10, windowMs: 15 * MINUTE }, perAddress: { limit: 50, windowMs: 15 * MINUTE } },
  signUps: { perEmail: { limit: 5, windowMs: HOUR }, perAddress: { limit: 100, windowMs: HOUR } },
  passwordResets: { perEmail: { limit: 5, windowMs: HOUR }, perAddress: { limit: 50, windowMs: HOUR } },
  verificationResends: { perAccount: { limit: 5, windowMs: HOUR }, perAddress: { limit: 50, windowMs: HOUR } },
  /** Confirmation emails to an instance's contact address: per recipient (the possible victim) and per sender. */
  contactConfirmations: { perRecipient: { limit: 3, windowMs: HOUR }, perAccount: { limit: 10, windowMs: HOUR } },
  newDrafts: { perAccount: { limit: 20, windowMs: HOUR }, perAddress: { limit: 100, windowMs: HOUR } },
} as const;

type Window = { limit: number; windowMs: number };

/**
 * The rules for one action: `scopes` name who is counted ("account:<id>", "address:<ip>"); a scope whose value
 * is unknown (no client address, e.g. a server-side call) is left out.
 */
export function abuseRules(action: string, scopes: Array<[scope: string, value: string | null | undefined, window: Window]>): RateLimitRule[] {
  return scopes.filter(([, value]) => value).map(([scope, value, window]) => ({ key: `${action}:${scope}:${value}`, ...window }));
}

/** Records the attempt under every rule, or throws RateLimitedError (nothing recorded) when one is full. */
export async function enforceRateLimits(what: string, rules: RateLimitRule[]) {
  const verdict = await consumeRateLimits(rules);
  if (!verdict.isAllowed) throw new RateLimitedError(what, verdict.retryAfterSeconds);
  return verdict.hitIds;
}
