// The emails that prove an address (the account's, an instance's contact address) and reset passwords.
import { and, eq, sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { instances, users, type User } from "@/db/schema";
import { hashPassword } from "@/server/auth/password";
import { env } from "@/server/env";
import { enqueueEmail } from "@/server/mail/enqueue";
import { ABUSE_LIMITS, abuseRules, enforceRateLimits } from "@/server/rate-limit/abuse-limits";
import { consumeToken, issueToken, type TokenCheck } from "./tokens";

function link(path: string, token: string) {
  return `${env().publicUrl}${path}?token=${encodeURIComponent(token)}`;
}

export async function sendAccountVerification(q: Queryable, user: Pick<User, "id" | "email">) {
  const token = await issueToken(q, { userId: user.id, purpose: "verify_email", email: user.email });
  const url = link("/verify-email", token);
  await enqueueEmail(q, {
    to: user.email,
    subject: "Confirm your email address for Lyceum",
    text: `Welcome to Lyceum.\n\nConfirm your email address by opening this link (it works once, for 24 hours):\n\n${url}\n\nIf you did not sign up, ignore this email.`,
    purpose: "verify_email",
  });
}

export async function sendContactVerification(q: Queryable, user: Pick<User, "id">, instance: { id: string; name: string; contactEmail: string }) {
  const token = await issueToken(q, { userId: user.id, purpose: "verify_contact_email", email: instance.contactEmail, instanceId: instance.id });
  const url = link("/verify-email", token);
  await enqueueEmail(q, {
    to: instance.contactEmail,
    subject: `Confirm the contact address of ${instance.name}`,
    text: `This address was given as the public contact of "${instance.name}", an Open edX site hosted by Lyceum.\n\nConfirm it by opening this link (it works once, for 24 hours):\n\n${url}\n\nIf this was not you, ignore this email.`,
    purpose: "verify_contact_email",
  });
}

/**
 * Sends a reset link when the address has an account; says nothing either way (no account probing). Limited
 * per address asked about (whether or not it has an account) and per client address: RateLimitedError.
 */
export async function sendPasswordReset(email: string, options: { clientIp?: string | null } = {}, q: Queryable = db) {
  const limits = ABUSE_LIMITS.passwordResets;
  await enforceRateLimits(
    "password reset requests",
    abuseRules("password-resets", [
      ["email", email.toLowerCase(), limits.perEmail],
      ["address", options.clientIp, limits.perAddress],
    ]),
  );
  const user = await q.query.users.findFirst({ where: eq(users.email, email.toLowerCase()) });
  if (!user) return;
  const token = await issueToken(q, { userId: user.id, purpose: "reset_password", email: user.email });
  await enqueueEmail(q, {
    to: user.email,
    subject: "Reset your Lyceum password",
    text: `Someone asked to reset the password of your Lyceum account.\n\nChoose a new password here (the link works once, for 1 hour):\n\n${link("/reset-password", token)}\n\nIf it was not you, ignore this email: your password stays as it is.`,
    purpose: "reset_password",
  });
}

/** Told to the owner of an address someone tried to sign up with (the form answers as for a new account). */
export async function sendSignUpAttemptNotice(q: Queryable, user: Pick<User, "email">) {
  await enqueueEmail(q, {
    to: user.email,
    subject: "Someone tried to sign up to Lyceum with your email address",
    text: `Someone tried to create a Lyceum account with this email address, which already has one.\n\nIf it was you, log in instead: ${env().publicUrl}/login (or choose a new password at ${env().publicUrl}/forgot-password).\n\nIf it was not you, nothing has changed: your account and password are as they were.`,
    purpose: "sign_up_attempt",
  });
}

type VerificationOutcome =
  | { isVerified: true; what: "account" | "contact"; instanceId: string | null }
  | { isVerified: false; reason: "unknown" | "used" | "expired"; message: string };

/** Uses a verification link, for the account's address or an instance's contact address. */
export async function verifyEmailToken(token: string): Promise<VerificationOutcome> {
  return db.transaction(async (tx) => {
    const account = await consumeToken(tx, "verify_email", token);
    if (account.isValid) {
      // The link proves the address it was sent to; an address changed since then stays unproven.
      await tx
        .update(users)
        .set({ emailVerified: new Date() })
        .where(and(eq(users.id, account.token.userId), eq(users.email, account.token.email)));
      return { isVerified: true, what: "account", instanceId: null } as const;
    }
    if (account.reason !== "unknown") return { isVerified: false, reason: account.reason, message: account.message } as const;
    const contact = await consumeToken(tx, "verify_contact_email", token);
    if (!contact.isValid) return { isVerified: false, reason: contact.reason, message: contact.message } as const;
    await tx
      .update(instances)
      .set({ contactEmailVerifiedAt: new Date() })
      .where(and(eq(instances.id, contact.token.instanceId!), eq(instances.contactEmail, contact.token.email)));
    return { isVerified: true, what: "contact", instanceId: contact.token.instanceId } as const;
  });
}

export async function resetPassword(token: string, newPassword: string): Promise<TokenCheck> {
  const passwordHash = await hashPassword(newPassword);
  return db.transaction(async (tx) => {
    const check = await consumeToken(tx, "reset_password", token);
    // A new credential version signs out every session issued before the reset.
    if (check.isValid) {
      await tx
        .update(users)
        .set({ passwordHash, credentialVersion: sql`${users.credentialVersion} + 1` })
        .where(eq(users.id, check.token.userId));
    }
    return check;
  });
}
