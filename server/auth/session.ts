// What pages and procedures ask of the session. The account is read from the database on every request, so a
// demoted or deleted account, or one whose password was reset since, loses access at once rather than when
// its JWT expires.
import { cache } from "react";
import { auth } from "./index";
import { findSessionUser } from "./session-user";

/** Memoised per server render: the layout, the page and its tRPC caller share one session look-up. */
export const currentUser = cache(async () => {
  const session = await auth();
  if (!session?.user?.id) return null;
  return findSessionUser({ userId: session.user.id, credentialVersion: session.credentialVersion });
});

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof currentUser>>>;
