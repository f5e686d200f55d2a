// Changing one's password while signed in: the current password proves it is the owner at the keyboard.
// The new credential version signs out every session issued before (the changing one signs in again).
import { eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { users } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/server/auth/password";

export class WrongCurrentPasswordError extends Error {
  constructor() {
    super("That is not your current password.");
  }
}

export async function changePassword(userId: string, input: { currentPassword: string; newPassword: string }) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) throw new WrongCurrentPasswordError();
  const passwordHash = await hashPassword(input.newPassword);
  await db
    .update(users)
    .set({ passwordHash, credentialVersion: sql`${users.credentialVersion} + 1` })
    .where(eq(users.id, userId));
}
