// Who may reach an instance, in one place. The tRPC procedures (instanceProcedure, ownerProcedure,
// staffInstanceProcedure), the pages, the branding upload route and the domain functions that lock an
// instance's row for a change all load it through here; nothing else compares owner ids.
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db";
import { instances, type Instance, type User } from "@/db/schema";
import { actsAsStaff } from "@/server/auth/roles";
import { instanceById } from "./queries";

/**
 * Who may reach the instance: its owner only (`owner`: the draft, the settings, paying, the client's own
 * certificate — staff do not act as the client there), its owner and Lyceum staff (`ownerOrStaff`: the instance
 * page and its operations), or staff only (`staff`: the staff console, where every instance is visible).
 */
export type InstanceAccess = "owner" | "ownerOrStaff" | "staff";

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

export function isOwnerOf(user: Person, instance: Pick<Instance, "ownerId">): boolean {
  return instance.ownerId === user.id;
}

export function mayReach(user: Person, instance: Pick<Instance, "ownerId">, access: InstanceAccess): boolean {
  if (access === "owner") return isOwnerOf(user, instance);
  if (access === "staff") return actsAsStaff(user);
  return isOwnerOf(user, instance) || actsAsStaff(user);
}

// An id that is not a UUID names no instance (and would make Postgres refuse the query).
const isInstanceId = (id: string) => z.uuid().safeParse(id).success;

/** The instance if this user may reach it with `access`; InstanceNotFoundError otherwise. */
export async function instanceFor(user: Person, id: string, access: InstanceAccess): Promise<Instance> {
  const instance = isInstanceId(id) ? await instanceById(id) : null;
  if (!instance || !mayReach(user, instance, access)) throw new InstanceNotFoundError();
  return instance;
}

/** The same, with the row locked for the rest of the transaction (for a change that must see no other). */
export async function lockedInstanceFor(tx: Queryable, user: Person, id: string, access: InstanceAccess): Promise<Instance> {
  const [instance] = isInstanceId(id) ? await tx.select().from(instances).where(eq(instances.id, id)).for("update") : [];
  if (!instance || !mayReach(user, instance, access)) throw new InstanceNotFoundError();
  return instance;
}
