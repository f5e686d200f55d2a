// Account records: creation with a hashed password, look-ups, and the seeded staff account.
import { eq } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { users, type UserRole } from "@/db/schema";
import { hashPassword, verifyAgainstNoAccount, verifyPassword } from "@/server/auth/password";
import { personalOrganisationIdOf } from "@/server/organisations/personal";
import type { SignUpInput } from "./credentials";

export class EmailTakenError extends Error {
  constructor() {
    super("An account with this email already exists. Log in instead.");
  }
}

export async function findUserByEmail(email: string, q: Queryable = db) {
  return (await q.query.users.findFirst({ where: eq(users.email, email.toLowerCase()) })) ?? null;
}

export async function createUser(input: SignUpInput, role: UserRole = "client", q: Queryable = db) {
  // A taken address is refused before the costly hash (the insert below still settles races).
  if (await findUserByEmail(input.email, q)) throw new EmailTakenError();
  const passwordHash = await hashPassword(input.password);
  const [user] = await q
    .insert(users)
    .values({ email: input.email, name: input.name || null, passwordHash, role })
    .onConflictDoNothing({ target: users.email })
    .returning();
  if (!user) throw new EmailTakenError();
  await personalOrganisationIdOf(q, user);
  return user;
}

/**
 * The user whose email and password match, or null: never says which of the two was wrong, and takes as long
 * for an unknown email as for a wrong password.
 */
export async function findUserByCredentials(email: string, password: string) {
  const user = await findUserByEmail(email);
  if (!user?.passwordHash) return verifyAgainstNoAccount(password).then(() => null);
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

export async function findUserById(id: string) {
  return (await db.query.users.findFirst({ where: eq(users.id, id) })) ?? null;
}

/**
 * Creates the staff account, or brings an existing one back to the role and password that `npm run dev`
 * prints, so the printed login always works.
 */
export async function ensureStaffUser(email: string, password: string, q: Queryable = db) {
  const normalized = email.toLowerCase();
  const existing = await q.query.users.findFirst({ where: eq(users.email, normalized) });
  if (existing) {
    const isPasswordCurrent = existing.passwordHash ? await verifyPassword(password, existing.passwordHash) : false;
    if (existing.role !== "staff" || !isPasswordCurrent) {
      await q
        .update(users)
        .set({
          role: "staff",
          ...(isPasswordCurrent ? {} : { passwordHash: await hashPassword(password), credentialVersion: existing.credentialVersion + 1 }),
        })
        .where(eq(users.id, existing.id));
    }
    return { user: existing, created: false };
  }
  const user = await createUser({ email: normalized, password, name: "Lyceum staff" }, "staff", q);
  return { user, created: true };
}
