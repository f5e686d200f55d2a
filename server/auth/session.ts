// What pages and procedures ask of the session. The role is read from the database on every check, so a
// demoted or deleted account loses access at once rather than when its JWT expires.
import { findUserById } from "@/server/accounts/users";
import { auth } from "./index";

export async function currentUser() {
  const session = await auth();
  if (!session?.user?.id) return null;
  return findUserById(session.user.id);
}

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof currentUser>>>;
