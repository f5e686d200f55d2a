// Who may reach an organisation and its members, in one place: the organisation procedures and pages load it
// through here, and the instance access path (server/instances/access.ts) asks memberRoleIn for its role.
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { db, type Queryable } from "@/db";
import { memberships, organisations, type Organisation, type OrganisationRole, type User } from "@/db/schema";
import { roleSatisfies, rolesSatisfying } from "./roles";

/** The refusal for an organisation this user may not reach, and for one that does not exist: both read the same. */
export class OrganisationNotFoundError extends Error {
  constructor() {
    super("No such organisation.");
  }
}

/** The role this account holds in the organisation, or null when it is not a member. */
export async function memberRoleIn(q: Queryable, userId: string, organisationId: string): Promise<OrganisationRole | null> {
  const [row] = await q
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)))
    .limit(1);
  return row?.role ?? null;
}

const isOrganisationId = (id: string) => z.uuid().safeParse(id).success;

/** The organisation and the user's role in it, if that role satisfies `needed`; OrganisationNotFoundError otherwise. */
export async function organisationFor(
  user: Pick<User, "id">,
  id: string,
  needed: OrganisationRole,
  q: Queryable = db,
): Promise<{ organisation: Organisation; role: OrganisationRole }> {
  const [row] = isOrganisationId(id)
    ? await q
        .select({ organisation: organisations, role: memberships.role })
        .from(organisations)
        .innerJoin(memberships, and(eq(memberships.organisationId, organisations.id), eq(memberships.userId, user.id)))
        .where(eq(organisations.id, id))
        .limit(1)
    : [];
  if (!row || !roleSatisfies(row.role, needed)) throw new OrganisationNotFoundError();
  return row;
}

/** The organisations where this account's role satisfies `needed` (the lists: my instances, my subscriptions). */
export function organisationIdsWhere(userId: string, needed: OrganisationRole) {
  return db
    .select({ id: memberships.organisationId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), inArray(memberships.role, rolesSatisfying(needed))));
}
