// Page guards: every page checks the session itself (proxy.ts is never the authorisation layer).
import "server-only";
import { forbidden, redirect } from "next/navigation";
import { isStaff } from "./roles";
import { currentUser } from "./session";

export async function requireUser(returnTo: string) {
  const user = await currentUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return user;
}

/** Anonymous visitors go to the login page; signed-in clients get the 403 page. */
export async function requireStaff(returnTo: string) {
  const user = await requireUser(returnTo);
  if (!isStaff(user)) forbidden();
  return user;
}
