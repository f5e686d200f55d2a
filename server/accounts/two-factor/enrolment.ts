// Turning two-factor sign-in on and off for an account. Enrolment is two steps: a secret is shown (as a QR
// code and as text), and only a code the app made from it switches two-factor on, so a mistyped or unscanned
// secret never locks anyone out.
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { users, type User } from "@/db/schema";
import { verifyPassword } from "@/server/auth/password";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptSecret, encryptSecret } from "@/server/crypto/secrets";
import { deleteRecoveryCodes, looksLikeRecoveryCode, replaceRecoveryCodes, spendRecoveryCode } from "./recovery-codes";
import { matchingTotpStep, newTotpSecret, otpauthUri } from "./totp";

/** A refusal the account page shows as it is. */
export class TwoFactorError extends Error {}

const SPENT_OR_WRONG = "That code does not match, or it has been used already.";

export async function startTwoFactorEnrolment(user: Pick<User, "id" | "email" | "twoFactorEnabledAt">) {
  if (user.twoFactorEnabledAt) throw new TwoFactorError("Two-factor sign-in is already on. Turn it off first to move it to another app.");
  const secret = newTotpSecret();
  await db
    .update(users)
    .set({ twoFactorPendingSecretSealed: encryptSecret(secret, sealedCells.twoFactorPendingSecret(user.id)) })
    .where(eq(users.id, user.id));
  return { secret, otpauthUri: otpauthUri(secret, user.email) };
}

/** Switches two-factor on with a code from the app; returns the recovery codes, shown this once. */
export async function confirmTwoFactorEnrolment(userId: string, code: string, now = Date.now()): Promise<string[]> {
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
    if (!user?.twoFactorPendingSecretSealed) throw new TwoFactorError("Start again: there is no code waiting to be confirmed.");
    if (user.twoFactorEnabledAt) throw new TwoFactorError("Two-factor sign-in is already on.");
    const secret = decryptSecret(user.twoFactorPendingSecretSealed, sealedCells.twoFactorPendingSecret(userId));
    const step = matchingTotpStep(secret, code.trim(), now, null);
    if (step === null) throw new TwoFactorError("That code does not match. Check the app shows Lyceum and this account, and enter its current code.");
    await tx
      .update(users)
      .set({
        twoFactorSecretSealed: encryptSecret(secret, sealedCells.twoFactorSecret(userId)),
        twoFactorPendingSecretSealed: null,
        twoFactorEnabledAt: new Date(now),
        twoFactorLastStep: step,
      })
      .where(eq(users.id, userId));
    return replaceRecoveryCodes(tx, userId);
  });
}

/**
 * Whether `code` (an app code or an unused recovery code) is a valid second factor for the account, spending
 * it if so: an app code's step cannot be used again, a recovery code is marked used.
 */
export async function spendSecondFactor(userId: string, code: string, now = Date.now()): Promise<boolean> {
  const trimmed = code.trim();
  if (looksLikeRecoveryCode(trimmed)) return spendRecoveryCode(db, userId, trimmed);
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user?.twoFactorSecretSealed) return false;
  const secret = decryptSecret(user.twoFactorSecretSealed, sealedCells.twoFactorSecret(userId));
  const step = matchingTotpStep(secret, trimmed, now, user.twoFactorLastStep);
  if (step === null) return false;
  // Two sign-ins racing with the same code: only one moves the last step forward.
  const moved = await db
    .update(users)
    .set({ twoFactorLastStep: step })
    .where(and(eq(users.id, userId), sql`coalesce(${users.twoFactorLastStep}, -1) < ${step}`))
    .returning({ id: users.id });
  return moved.length > 0;
}

/** Turning it off takes the password and a current code (or a recovery code): a session alone is not enough. */
export async function disableTwoFactor(user: Pick<User, "id" | "passwordHash" | "twoFactorEnabledAt">, input: { password: string; code: string }) {
  if (!user.twoFactorEnabledAt) throw new TwoFactorError("Two-factor sign-in is not on.");
  if (!user.passwordHash || !(await verifyPassword(input.password, user.passwordHash))) throw new TwoFactorError("That is not your current password.");
  if (!(await spendSecondFactor(user.id, input.code))) throw new TwoFactorError(SPENT_OR_WRONG);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ twoFactorSecretSealed: null, twoFactorPendingSecretSealed: null, twoFactorEnabledAt: null, twoFactorLastStep: null })
      .where(eq(users.id, user.id));
    await deleteRecoveryCodes(tx, user.id);
  });
}

/** A fresh set of recovery codes (the old ones stop working), given a current code. */
export async function regenerateRecoveryCodes(userId: string, code: string): Promise<string[]> {
  if (!(await spendSecondFactor(userId, code))) throw new TwoFactorError(SPENT_OR_WRONG);
  // One transaction: a failure between the delete and the insert must not leave the account without codes.
  return db.transaction((tx) => replaceRecoveryCodes(tx, userId));
}
