// Recovery codes: the way in when the phone is lost. Ten at a time, shown once, each good for one sign-in.
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { twoFactorRecoveryCodes } from "@/db/schema";
import { base32Encode } from "./totp";

const CODES_PER_SET = 10;

const hashOf = (code: string) => createHash("sha256").update(normalized(code)).digest("hex");
/** People copy codes with or without the dashes, in either case. */
const normalized = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();

/** 60 random bits as xxxx-xxxx-xxxx. */
function newRecoveryCode(): string {
  const text = base32Encode(randomBytes(8)).slice(0, 12).toLowerCase();
  return `${text.slice(0, 4)}-${text.slice(4, 8)}-${text.slice(8, 12)}`;
}

export function looksLikeRecoveryCode(code: string): boolean {
  return /^[a-z2-7]{12}$/.test(normalized(code));
}

/** Replaces the account's codes with a new set and returns it: the only time the codes are readable. */
export async function replaceRecoveryCodes(q: Queryable, userId: string): Promise<string[]> {
  const codes = Array.from({ length: CODES_PER_SET }, newRecoveryCode);
  await deleteRecoveryCodes(q, userId);
  await q.insert(twoFactorRecoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashOf(code) })));
  return codes;
}

export async function deleteRecoveryCodes(q: Queryable, userId: string): Promise<void> {
  await q.delete(twoFactorRecoveryCodes).where(eq(twoFactorRecoveryCodes.userId, userId));
}

/** Marks the code used if it is one of the account's unused ones; true when it was (two racing sign-ins: one wins). */
export async function spendRecoveryCode(q: Queryable, userId: string, code: string): Promise<boolean> {
  const spent = await q
    .update(twoFactorRecoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(twoFactorRecoveryCodes.userId, userId), eq(twoFactorRecoveryCodes.codeHash, hashOf(code)), isNull(twoFactorRecoveryCodes.usedAt)))
    .returning({ id: twoFactorRecoveryCodes.id });
  return spent.length > 0;
}

export async function unusedRecoveryCodeCount(q: Queryable, userId: string): Promise<number> {
  const rows = await q
    .select({ id: twoFactorRecoveryCodes.id })
    .from(twoFactorRecoveryCodes)
    .where(and(eq(twoFactorRecoveryCodes.userId, userId), isNull(twoFactorRecoveryCodes.usedAt)));
  return rows.length;
}
