// What pages and procedures ask of the session. The account is read from the database on every request, so a
// demoted or deleted account, or one whose password was reset since, loses access at once rather than when
// its JWT expires.
import type { GetServerSidePropsContext } from "next";
import type { Session } from "next-auth";
import { cache } from "react";
import { auth } from "./index";
import { findSessionUser } from "./session-user";

/** Memoised per server render: the layout, the page and its tRPC caller share one session look-up. */
export const currentUser = cache(async () => userOfSession(await auth()));

/**
 * The account a route handler's request is signed in as, read from the request's own cookie (so a route can
 * settle who is calling before it reads the body, and without Next's request scope). Auth.js's `{ req, res }`
 * form of `auth` does this (given a bare Request it would act as middleware instead); a refreshed session
 * cookie it would set on `res` is left for the next page load.
 */
export async function currentUserOf(request: Request) {
  const context = { req: request, res: { headers: new Headers() } };
  return userOfSession(await auth(context as unknown as GetServerSidePropsContext));
}

async function userOfSession(session: Session | null) {
  if (!session?.user?.id) return null;
  return findSessionUser({ userId: session.user.id, credentialVersion: session.credentialVersion });
}
