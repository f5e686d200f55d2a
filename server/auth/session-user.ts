// The one check of a session against the database, run whenever a session is read (Auth.js's jwt callback,
// so also auth() in pages, guards and the tRPC context): the account must still exist and its credentials
// must not have changed since the session was issued.
import { findUserById } from "@/server/accounts/users";

/** The claims a session token carries; tokens issued before credential versions existed count as version 0. */
type SessionClaims = { userId: string | undefined; credentialVersion: unknown };

export async function findSessionUser(claims: SessionClaims) {
  if (!claims.userId) return null;
  const user = await findUserById(claims.userId);
  const version = typeof claims.credentialVersion === "number" ? claims.credentialVersion : 0;
  return user && user.credentialVersion === version ? user : null;
}
