// Between the password and the second factor: the log-in form's first step proves the password, and the
// second step carries this signed note of it instead of the password itself (the form never holds the password
// again). It names the account and its credential version, so a password change since voids it, and it expires.
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/server/env";

const LIFETIME_MS = 5 * 60_000;

const signatureOf = (payload: string) => createHmac("sha256", `pending-sign-in:${env().AUTH_SECRET}`).update(payload).digest("base64url");

export function pendingSignInToken(user: { id: string; credentialVersion: number }, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ u: user.id, v: user.credentialVersion, e: now + LIFETIME_MS })).toString("base64url");
  return `${payload}.${signatureOf(payload)}`;
}

/** The account a token names, if it is ours and unexpired; the caller still checks the credential version. */
export function readPendingSignInToken(token: string, now = Date.now()): { userId: string; credentialVersion: number } | null {
  const [payload, signature, ...rest] = token.split(".");
  if (!payload || !signature || rest.length > 0) return null;
  const expected = Buffer.from(signatureOf(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { u: string; v: number; e: number };
  if (claims.e < now) return null;
  return { userId: claims.u, credentialVersion: claims.v };
}
