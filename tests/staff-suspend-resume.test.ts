// Staff suspend and resume: audited intent (an operation queued for the worker), refusals that say why,
// and billing's own suspensions left to billing.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditLog, instanceOperations, subscriptions } from "@/db/schema";
import { transitionInstance } from "@/server/instances/lifecycle";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";
import { queuedEmailsTo } from "./helpers/queued-emails";
import { createInstance } from "./helpers/registration";

async function instanceIn(status: "running" | "suspended") {
  const owner = await makeUser();
  const instance = await createInstance(owner.id, { name: "Pause Academy", subdomain: `pause-${uniqueSuffix()}`, plan: "starter" });
  const path = ["queued", "provisioning", "running", ...(status === "suspended" ? (["suspended"] as const) : [])] as const;
  for (const to of path) {
    await transitionInstance(db, instance.id, to, { message: `test: ${to}` });
  }
  return { owner, instance };
}

async function operationsOf(instanceId: string) {
  return db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId));
}

describe("staff suspending and resuming an instance", () => {
  it("queues a suspension of a running instance, audits it and tells the owner without the staff reason", async () => {
    const staff = await makeUser("staff");
    const { owner, instance } = await instanceIn("running");
    const result = await apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "Abuse report #123 under review" });
    expect(result.outcome).toBe("accepted");
    const [operation] = await operationsOf(instance.id);
    expect(operation).toMatchObject({ kind: "suspend", status: "queued", requestedBy: staff.id });
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(entry).toMatchObject({ action: "suspend", outcome: "accepted", reason: "Abuse report #123 under review" });
    const [email] = await queuedEmailsTo(owner.email);
    expect(email?.subject).toBe('Lyceum staff suspended "Pause Academy"');
    expect(email?.text).not.toContain("Abuse report");
  });

  it("refuses to suspend an instance that is not running, and records the refusal", async () => {
    const staff = await makeUser("staff");
    const { instance } = await instanceIn("suspended");
    await expect(apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "again" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Only a running instance can be suspended; this one is suspended.",
    });
    expect(await operationsOf(instance.id)).toHaveLength(0);
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(entry).toMatchObject({ action: "suspend", outcome: "refused" });
  });

  it("queues the resumption of an instance staff suspended", async () => {
    const staff = await makeUser("staff");
    const { instance } = await instanceIn("suspended");
    await apiAs(staff).staff.resume({ instanceId: instance.id, reason: "Review done, all clear" });
    expect((await operationsOf(instance.id)).map((op) => op.kind)).toEqual(["resume"]);
  });

  it("leaves an instance billing suspended for an unpaid invoice to billing", async () => {
    const staff = await makeUser("staff");
    const { instance } = await instanceIn("suspended");
    await db.insert(subscriptions).values({ instanceId: instance.id, plan: "starter", status: "past_due", suspendedFor: "non_payment" });
    await expect(apiAs(staff).staff.resume({ instanceId: instance.id, reason: "customer called" })).rejects.toMatchObject({
      message: "Billing suspended this instance for an unpaid invoice: it resumes when the invoice is paid.",
    });
    expect(await operationsOf(instance.id)).toHaveLength(0);
  });

  it("is for staff only", async () => {
    const client = await makeUser();
    const { instance } = await instanceIn("running");
    await expect(apiAs(client).staff.suspend({ instanceId: instance.id, reason: "mine" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
