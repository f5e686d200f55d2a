// Emails about an instance's life, queued by the provision pipeline's hooks and the runner: the owner hears
// when the instance runs and when provisioning failed for good; staff hear of every pipeline that gave up.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

// Read when the configuration is first parsed (lazily, below).
process.env.LYCEUM_STAFF_ALERT_EMAILS = "oncall@lyceum.example, lead@lyceum.example";

const { db } = await import("@/db");
const { instanceOperations } = await import("@/db/schema");
const { runOperation } = await import("@/jobs/runner/runner");
const { provisionPipeline } = await import("@/jobs/pipelines/provision");
const { transitionInstance } = await import("@/server/instances/lifecycle");
const { createInstance } = await import("./helpers/registration");
const { makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { queuedEmailsTo } = await import("./helpers/queued-emails");

type Step = (typeof provisionPipeline.steps)[number];

async function provisionWith(steps: Step[], attempt: { number: number; maxAttempts: number }) {
  const owner = await makeUser();
  const instance = await createInstance(owner.id, { name: "Mail School", subdomain: `mail-${uniqueSuffix()}`, plan: "growth" });
  await transitionInstance(db, instance.id, "queued", { message: "paid" });
  const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision" }).returning();
  const run = runOperation({ ...provisionPipeline, steps }, operation!.id, attempt);
  return { owner, instance, operation: operation!, run };
}

const failingStep: Step = {
  name: "boot_server",
  title: "Boot application server",
  run: async () => {
    throw new Error("quota exceeded for flavor b3-16");
  },
};

function staffAlertsAbout(subdomain: string) {
  return Promise.all(["oncall@lyceum.example", "lead@lyceum.example"].map(async (to) => (await queuedEmailsTo(to)).filter((email) => email.subject.includes(subdomain))));
}

describe("instance notifications", () => {
  it("emails the owner when the instance is running", async () => {
    const { owner, instance, run } = await provisionWith([], { number: 1, maxAttempts: 6 });
    await run;
    const emails = await queuedEmailsTo(owner.email);
    expect(emails).toEqual([expect.objectContaining({ subject: `"Mail School" is up and running`, purpose: "instance-running" })]);
    expect(emails[0]!.text).toContain(`/instances/${instance.id}`);
    expect((await staffAlertsAbout(instance.subdomain)).flat()).toHaveLength(0);
  });

  it("stays quiet while attempts are left", async () => {
    const { owner, instance, run } = await provisionWith([failingStep], { number: 2, maxAttempts: 6 });
    await expect(run).rejects.toThrow(/quota exceeded/);
    expect(await queuedEmailsTo(owner.email)).toHaveLength(0);
    expect((await staffAlertsAbout(instance.subdomain)).flat()).toHaveLength(0);
  });

  it("emails the owner and every staff alert address when provisioning failed after its last retry", async () => {
    const { owner, instance, operation, run } = await provisionWith([failingStep], { number: 6, maxAttempts: 6 });
    await expect(run).rejects.toThrow(/quota exceeded/);
    expect((await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) }))?.status).toBe("failed");

    const toOwner = await queuedEmailsTo(owner.email);
    expect(toOwner).toEqual([expect.objectContaining({ subject: `We could not finish setting up "Mail School"`, purpose: "provisioning-failed" })]);
    expect(toOwner[0]!.text).toContain("quota exceeded for flavor b3-16");

    const [oncall, lead] = await staffAlertsAbout(instance.subdomain);
    for (const alerts of [oncall!, lead!]) {
      expect(alerts).toEqual([expect.objectContaining({ subject: `[Lyceum] provision failed for ${instance.subdomain}`, purpose: "staff-alert-operation-failed" })]);
      expect(alerts[0]!.text).toContain(`/staff/instances/${instance.id}`);
      expect(alerts[0]!.text).toContain("quota exceeded for flavor b3-16");
    }
  });
});
