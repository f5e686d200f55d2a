// Queued emails are delivered by a real worker through the platform relay (here a loopback SMTP server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startSmtpCatcher } from "./helpers/smtp-catcher";

await isolatedDatabase();
const catcher = await startSmtpCatcher();
process.env.LYCEUM_SMTP_URL = catcher.url;

const { db, closeDb } = await import("@/db");
const { startWorker } = await import("@/jobs/start-worker");
const { enqueueEmail } = await import("@/server/mail/enqueue");

let worker: Awaited<ReturnType<typeof startWorker>>;
beforeAll(async () => {
  worker = await startWorker({ concurrency: 1, quiet: true });
});
afterAll(async () => {
  await worker?.stop();
  await catcher.close();
  await closeDb();
});

describe("sending email", () => {
  it("delivers a queued message through the relay", async () => {
    await enqueueEmail(db, { to: "owner@example.org", subject: "Hello from Lyceum", text: "Body text", purpose: "test" });
    const mail = await catcher.waitFor("owner@example.org", /Hello from Lyceum/);
    expect(mail.text.trim()).toBe("Body text");
    expect(mail.from).toContain("no-reply@lyceum.localhost");
  });

  it("refuses a malformed address before anything is queued", async () => {
    await expect(enqueueEmail(db, { to: "not an address", subject: "x", text: "y", purpose: "test" })).rejects.toThrow();
  });
});
