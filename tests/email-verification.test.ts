// Verified accounts: the link arrives by email (a real worker, a loopback SMTP server), works once, expires,
// and only the newest link works. Password reset and contact-address confirmation use the same tokens.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startSmtpCatcher } from "./helpers/smtp-catcher";

await isolatedDatabase();
const catcher = await startSmtpCatcher();
process.env.LYCEUM_SMTP_URL = catcher.url;

const { db, closeDb } = await import("@/db");
const { accountTokens, instances, users } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { createUser, findUserByCredentials } = await import("@/server/accounts/users");
const { hashToken, issueToken } = await import("@/server/accounts/tokens");
const { resetPassword, sendAccountVerification, sendPasswordReset, verifyEmailToken } = await import("@/server/accounts/verification");
const { apiAs, uniqueSuffix } = await import("./helpers/accounts");
const { makeVerifiedUser } = await import("./helpers/registration");

let worker: Awaited<ReturnType<typeof startWorker>>;
beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
});
afterAll(async () => {
  await worker?.stop();
  await catcher.close();
  await closeDb();
});

async function signUp() {
  const email = `new-${uniqueSuffix()}@example.org`;
  const user = await db.transaction(async (tx) => {
    const created = await createUser({ email, password: "a long enough password" }, "client", tx);
    await sendAccountVerification(tx, created);
    return created;
  });
  return user;
}

function tokenIn(text: string, path: string) {
  const match = new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  return match[1]!;
}

async function userRow(id: string) {
  return (await db.query.users.findFirst({ where: eq(users.id, id) }))!;
}

describe("account email verification", () => {
  it("verifies with the emailed link, once; a second use says it was used", async () => {
    const user = await signUp();
    expect(user.emailVerified).toBeNull();
    const mail = await catcher.waitFor(user.email, /Confirm your email address/);
    const token = tokenIn(mail.text, "/verify-email");
    // Only the hash is stored.
    expect(await db.query.accountTokens.findFirst({ where: eq(accountTokens.tokenHash, token) })).toBeUndefined();
    expect(await db.query.accountTokens.findFirst({ where: eq(accountTokens.tokenHash, hashToken(token)) })).toBeDefined();

    expect(await verifyEmailToken(token)).toEqual({ isVerified: true, what: "account", instanceId: null });
    expect((await userRow(user.id)).emailVerified).toBeInstanceOf(Date);
    expect(await verifyEmailToken(token)).toMatchObject({ isVerified: false, reason: "used", message: expect.stringContaining("already been used") });
  });

  it("refuses an expired link", async () => {
    const user = await signUp();
    const token = await issueToken(db, { userId: user.id, purpose: "verify_email", email: user.email, now: new Date(Date.now() - 25 * 60 * 60 * 1000) });
    expect(await verifyEmailToken(token)).toMatchObject({ isVerified: false, reason: "expired", message: "This link has expired. Ask for a new one." });
    expect((await userRow(user.id)).emailVerified).toBeNull();
  });

  it("refuses a made-up link", async () => {
    expect(await verifyEmailToken("not-a-real-token")).toMatchObject({ isVerified: false, reason: "unknown" });
    expect(await verifyEmailToken("")).toMatchObject({ isVerified: false, reason: "unknown" });
  });

  it("sends a new link on request, and only the newest works", async () => {
    const user = await signUp();
    const first = tokenIn((await catcher.waitFor(user.email, /Confirm your email address/)).text, "/verify-email");
    await apiAs(user).account.resendVerification();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const mails = await (async () => {
      for (let i = 0; i < 100; i++) {
        const found = catcher.received.filter((mail) => mail.to.includes(user.email));
        if (found.length >= 2) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("the second email did not arrive");
    })();
    const second = tokenIn(mails[1]!.text, "/verify-email");
    expect(second).not.toBe(first);
    expect(await verifyEmailToken(first)).toMatchObject({ isVerified: false, reason: "used" });
    expect(await verifyEmailToken(second)).toMatchObject({ isVerified: true });
    await expect(apiAs(await userRow(user.id)).account.resendVerification()).rejects.toMatchObject({ message: "Your email address is already confirmed." });
  });
});

describe("password reset by email", () => {
  it("changes the password with the emailed link, once", async () => {
    const user = await signUp();
    await sendPasswordReset(user.email.toUpperCase());
    const token = tokenIn((await catcher.waitFor(user.email, /Reset your Lyceum password/)).text, "/reset-password");
    expect(await resetPassword(token, "a brand new password")).toMatchObject({ isValid: true });
    expect(await findUserByCredentials(user.email, "a brand new password")).toMatchObject({ id: user.id });
    expect(await findUserByCredentials(user.email, "a long enough password")).toBeNull();
    expect(await resetPassword(token, "yet another password")).toMatchObject({ isValid: false, reason: "used" });
  });

  it("sends nothing for an unknown address, and says nothing about it", async () => {
    await expect(sendPasswordReset(`nobody-${uniqueSuffix()}@example.org`)).resolves.toBeUndefined();
  });
});

describe("an instance's public contact address", () => {
  it("needs its own confirmation when it is not the account's address", async () => {
    const owner = await makeVerifiedUser();
    const contact = `team-${uniqueSuffix()}@example.org`;
    const { id } = await apiAs(owner).registration.saveInstance({
      values: { name: "Contact School", contactEmail: contact, description: "", privacyPolicyUrl: "https://example.org/p" },
    });
    expect((await apiAs(owner).registration.draft({ id })).isContactEmailVerified).toBe(false);
    const token = tokenIn((await catcher.waitFor(contact, /Confirm the contact address of Contact School/)).text, "/verify-email");
    expect(await verifyEmailToken(token)).toEqual({ isVerified: true, what: "contact", instanceId: id });
    expect((await db.query.instances.findFirst({ where: eq(instances.id, id) }))?.contactEmailVerifiedAt).toBeInstanceOf(Date);
    expect((await apiAs(owner).registration.draft({ id })).isContactEmailVerified).toBe(true);
  });
});
