// Who may reach an instance, in one place. The tRPC procedures (instanceProcedure, memberProcedure,
// staffInstanceProcedure), the pages, the branding upload route, the backup download and the domain functions that
// lock an instance's row for a change all load it through here; nothing else reads memberships for an instance.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db, type Queryable } from "@/db";
import { instances, type Instance, type OrganisationRole, type User } from "@/db/schema";
import { actsAsStaff } from "@/server/auth/roles";
import { memberRoleIn } from "@/server/organisations/access";
import { roleSatisfies } from "@/server/organisations/roles";
import { instanceById } from "./queries";

/**
 * Who may reach the instance: members of its organisation whose role satisfies `role`
 * (server/organisations/roles.ts), and Lyceum staff too when `staff` is true (the instance page and its
 * operations; not the draft, the settings or paying, where staff do not act as the client); or staff only
 * (`"staff"`: the staff console, where every instance is visible).
 */
export type InstanceAccess = { role: OrganisationRole; staff: boolean } | "staff";

/** The access in words, as the architecture test lists it: "admin or staff", "billing", "staff". */
export function describeAccess(access: InstanceAccess): string {
  if (access === "staff") return "staff";
  return access.staff ? `${access.role} or staff` : access.role;
}

/**
 * The refusal for an instance this user may not reach, and for one that does not exist: both read the same,
 * so nobody learns that another client's instance exists.
 */
export class InstanceNotFoundError extends Error {
  constructor() {
    super("No such instance.");
  }
}

type Person = Pick<User, "id" | "role" | "twoFactorEnabledAt">;

export async function mayReach(user: Person, instance: Pick<Instance, "organisationId">, access: InstanceAccess, q: Queryable = db): Promise<boolean> {
  if (access === "staff") return actsAsStaff(user);
  if (access.staff && actsAsStaff(user)) return true;
  return roleSatisfies(await memberRoleIn(q, user.id, instance.organisationId), access.role);
}

// An id that is not a UUID names no instance (and would make Postgres refuse the query).
const isInstanceId = (id: string) => z.uuid().safeParse(id).success;

/** The instance if this user may reach it with `access`; InstanceNotFoundError otherwise. */
export async function instanceFor(user: Person, id: string, access: InstanceAccess): Promise<Instance> {
  const instance = isInstanceId(id) ? await instanceById(id) : null;
  if (!instance || !(await mayReach(user, instance, access))) throw new InstanceNotFoundError();
  return instance;
}

/** The same, with the row locked for the rest of the transaction (for a change that must see no other). */
export async function lockedInstanceFor(tx: Queryable, user: Person, id: string, access: InstanceAccess): Promise<Instance> {
  const [instance] = isInstanceId(id) ? await tx.select().from(instances).where(eq(instances.id, id)).for("update") : [];
  if (!instance || !(await mayReach(user, instance, access, tx))) throw new InstanceNotFoundError();
  return instance;
}
