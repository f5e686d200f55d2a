// Changing one's password while signed in: the current password proves it is the owner at the keyboard.
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { users } from "@/db/schema";
import { hashPassword, verifyPassword } from "@/server/auth/password";

export class WrongCurrentPasswordError extends Error {
  constructor() {
    super("Your current password is not right.");
  }
}

export async function changePassword(userId: string, input: { currentPassword: string; newPassword: string }) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) throw new WrongCurrentPasswordError();
  await db.update(users).set({ passwordHash: await hashPassword(input.newPassword) }).where(eq(users.id, userId));
}
