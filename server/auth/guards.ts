// Page guards: every page checks the session itself (proxy.ts is never the authorisation layer).
import "server-only";
import { forbidden, notFound, redirect } from "next/navigation";
import type { User } from "@/db/schema";
import { instanceFor, InstanceNotFoundError, type InstanceAccess } from "@/server/instances/access";
import { isStaff, isStaffMissingTwoFactor } from "./roles";
import { currentUser } from "./session";

export async function requireUser(returnTo: string) {
  const user = await currentUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return user;
}

/** Anonymous visitors go to the login page; signed-in clients get the 403 page; staff without a second factor set one up. */
export async function requireStaff(returnTo: string) {
  const user = await requireUser(returnTo);
  if (!isStaff(user)) forbidden();
  if (isStaffMissingTwoFactor(user)) redirect("/account/security?for=staff");
  return user;
}

/** The instance a page is about, through the one access path (server/instances/access.ts); the 404 page otherwise. */
export async function requireInstance(user: User, id: string, access: InstanceAccess) {
  try {
    return await instanceFor(user, id, access);
  } catch (error) {
    if (error instanceof InstanceNotFoundError) notFound();
    throw error;
  }
}
