// Every account's personal organisation: made with the account at sign-up (and by the migration for accounts that
// existed before organisations), the account its only owner; the wizard's new drafts go into it.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { memberships, organisations, type User } from "@/db/schema";

/**
 * The id of this account's personal organisation, made (with the account as its owner) when it has none yet:
 * idempotent, so a second call or a racing one finds the same organisation.
 */
export async function personalOrganisationIdOf(q: Queryable, user: Pick<User, "id" | "name" | "email">): Promise<string> {
  const [made] = await q
    .insert(organisations)
    .values({ name: user.name || user.email, personalOf: user.id })
    .onConflictDoNothing({ target: organisations.personalOf })
    .returning({ id: organisations.id });
  if (made) {
    await q.insert(memberships).values({ organisationId: made.id, userId: user.id, role: "owner" });
    return made.id;
  }
  const [existing] = await q.select({ id: organisations.id }).from(organisations).where(eq(organisations.personalOf, user.id));
  return existing!.id;
}

/** The id of this account's personal organisation, which every account made by createUser has. */
export async function personalOrganisationOf(q: Queryable, userId: string): Promise<string> {
  const [row] = await q.select({ id: organisations.id }).from(organisations).where(eq(organisations.personalOf, userId));
  if (!row) throw new Error(`The account ${userId} has no personal organisation.`);
  return row.id;
}
