// What pages and procedures ask of the session. The role is read from the database on every request, so a
// demoted or deleted account loses access at once rather than when its JWT expires.
import { cache } from "react";
import { findUserById } from "@/server/accounts/users";
import { auth } from "./index";

/** Memoised per server render: the layout, the page and its tRPC caller share one session look-up. */
export const currentUser = cache(async () => {
  const session = await auth();
  if (!session?.user?.id) return null;
  return findUserById(session.user.id);
});

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof currentUser>>>;
