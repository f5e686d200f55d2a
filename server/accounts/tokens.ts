// One-time email links: a random token goes into the link, only its SHA-256 into the database.
import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { accountTokens, type AccountToken, type AccountTokenPurpose } from "@/db/schema";

const TOKEN_LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  verify_contact_email: 24 * 60 * 60 * 1000,
  reset_password: 60 * 60 * 1000,
};

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Issues a new link token and voids the unused ones of the same purpose for the same user (and instance),
 * so only the newest link sent works. Returns the raw token for the email; it is not stored.
 */
export async function issueToken(
  q: Queryable,
  input: { userId: string; purpose: AccountTokenPurpose; email: string; instanceId?: string | null; now?: Date },
): Promise<string> {
  const now = input.now ?? new Date();
  await q
    .update(accountTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(accountTokens.userId, input.userId),
        eq(accountTokens.purpose, input.purpose),
        isNull(accountTokens.usedAt),
        input.instanceId ? eq(accountTokens.instanceId, input.instanceId) : undefined,
      ),
    );
  const token = randomBytes(32).toString("base64url");
  await q.insert(accountTokens).values({
    userId: input.userId,
    purpose: input.purpose,
    email: input.email,
    instanceId: input.instanceId ?? null,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[input.purpose]),
  });
  return token;
}

export type TokenCheck =
  | { isValid: true; token: AccountToken }
  | { isValid: false; reason: "unknown" | "used" | "expired"; message: string; token: AccountToken | null };

const MESSAGES = {
  unknown: "This link is not valid. Check that you copied all of it, or ask for a new one.",
  used: "This link has already been used. If you still need to, ask for a new one.",
  expired: "This link has expired. Ask for a new one.",
} as const;

/** Looks a token up without using it (the reset page shows its form only for a usable link). */
async function checkToken(q: Queryable, purpose: AccountTokenPurpose, token: string, now = new Date()): Promise<TokenCheck> {
  const row = token ? await q.query.accountTokens.findFirst({ where: eq(accountTokens.tokenHash, hashToken(token)) }) : undefined;
  if (!row || row.purpose !== purpose) return { isValid: false, reason: "unknown", message: MESSAGES.unknown, token: null };
  if (row.usedAt) return { isValid: false, reason: "used", message: MESSAGES.used, token: row };
  if (row.expiresAt <= now) return { isValid: false, reason: "expired", message: MESSAGES.expired, token: row };
  return { isValid: true, token: row };
}

/** What the reset-password page shows: its form for a usable link, else why the link no longer works. */
export function checkPasswordResetLink(token: string): Promise<TokenCheck> {
  return checkToken(db, "reset_password", token);
}

/**
 * Uses a token once: the conditional update makes two simultaneous clicks of one link succeed only once.
 * Call it in the transaction that applies what the link allows.
 */
export async function consumeToken(q: Queryable, purpose: AccountTokenPurpose, token: string, now = new Date()): Promise<TokenCheck> {
  const check = await checkToken(q, purpose, token, now);
  if (!check.isValid) return check;
  const [used] = await q
    .update(accountTokens)
    .set({ usedAt: now })
    .where(and(eq(accountTokens.id, check.token.id), isNull(accountTokens.usedAt)))
    .returning();
  if (!used) return { isValid: false, reason: "used", message: MESSAGES.used, token: check.token };
  return { isValid: true, token: used };
}
