// The staff actions framework: each action's effect, its audit entry (accepted, refused with the reason,
// never for invalid input), what the owner is told, and that only staff may call any staff procedure.
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditLog, instanceEvents, instanceOperations, instances, type User } from "@/db/schema";
import { runOperation } from "@/jobs/runner/runner";
import { provisionPipeline } from "@/jobs/pipelines/provision";
import { createCaller } from "@/server/api/root";
import { transitionInstance } from "@/server/instances/lifecycle";
import { startOperation } from "@/server/instances/operations";
import { createInstance } from "./helpers/registration";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";
import { queuedEmailsTo } from "./helpers/queued-emails";

async function paidInstanceWithProvision() {
  const owner = await makeUser();
  const instance = await createInstance(owner.id, { name: "Action Academy", subdomain: `act-${uniqueSuffix()}`, plan: "starter" });
  const operation = await db.transaction(async (tx) => {
    await transitionInstance(tx, instance.id, "queued", { message: "paid" });
    return startOperation(tx, { instanceId: instance.id, kind: "provision", initiator: "owner" });
  });
  return { owner, instance, operation };
}

async function auditEntriesOf(instanceId: string) {
  return db.select().from(auditLog).where(eq(auditLog.instanceId, instanceId)).orderBy(desc(auditLog.createdAt));
}

describe("cancelling the running operation", () => {
  it("requests cancellation, audits it, tells the owner, and the runner then ends the operation", async () => {
    const staff = await makeUser("staff");
    const { owner, instance, operation } = await paidInstanceWithProvision();

    const result = await apiAs(staff).staff.cancelOperation({ operationId: operation.id, reason: "Customer asked to stop by phone" });
    expect(result).toMatchObject({ outcome: "accepted", summary: expect.stringContaining(`provision operation ${operation.id}`) });

    const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) });
    expect(row?.cancelRequestedAt).toBeInstanceOf(Date);
    const [entry] = await auditEntriesOf(instance.id);
    expect(entry).toMatchObject({
      id: result.auditId,
      actorId: staff.id,
      actorEmail: staff.email,
      action: "cancel_operation",
      target: { operationId: operation.id },
      reason: "Customer asked to stop by phone",
      outcome: "accepted",
    });
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id));
    expect(events.map((event) => event.message)).toContain("Lyceum staff asked to cancel the provision in progress.");
    const emails = await queuedEmailsTo(owner.email);
    expect(emails.map((email) => email.subject)).toEqual([`Lyceum staff stopped the provision of "Action Academy"`]);
    expect(emails[0]!.text).not.toContain("Customer asked to stop by phone"); // the reason is for staff

    await runOperation(provisionPipeline, operation.id, { number: 1, maxAttempts: 6 });
    expect((await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) }))?.status).toBe("cancelled");
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("failed");
    // Stopped on purpose: no "we could not finish" email on top of the staff one.
    expect(await queuedEmailsTo(owner.email)).toHaveLength(1);
  });

  it("refuses, says why and records the refusal when the operation has already ended", async () => {
    const staff = await makeUser("staff");
    const { owner, instance, operation } = await paidInstanceWithProvision();
    await db.update(instanceOperations).set({ status: "succeeded", finishedAt: new Date() }).where(eq(instanceOperations.id, operation.id));

    await expect(apiAs(staff).staff.cancelOperation({ operationId: operation.id, reason: "stale page" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "That provision has already ended (succeeded): there is nothing to cancel.",
    });
    expect((await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) }))?.cancelRequestedAt).toBeNull();
    const [entry] = await auditEntriesOf(instance.id);
    expect(entry).toMatchObject({
      action: "cancel_operation",
      outcome: "refused",
      reason: "stale page",
      detail: "That provision has already ended (succeeded): there is nothing to cancel.",
    });
    expect(await queuedEmailsTo(owner.email)).toHaveLength(0);
  });

  it("refuses a second cancellation of the same operation", async () => {
    const staff = await makeUser("staff");
    const { instance, operation } = await paidInstanceWithProvision();
    await apiAs(staff).staff.cancelOperation({ operationId: operation.id, reason: "first request" });
    await expect(apiAs(staff).staff.cancelOperation({ operationId: operation.id, reason: "second request" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/^Cancellation of that provision was already requested at /),
    });
    expect((await auditEntriesOf(instance.id)).map((entry) => entry.outcome)).toEqual(["refused", "accepted"]);
  });

  it("rejects a missing reason before doing anything, and records nothing", async () => {
    const staff = await makeUser("staff");
    const { instance, operation } = await paidInstanceWithProvision();
    await expect(apiAs(staff).staff.cancelOperation({ operationId: operation.id, reason: "  " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await auditEntriesOf(instance.id)).toHaveLength(0);
    expect((await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) }))?.cancelRequestedAt).toBeNull();
  });

  it("shows the instance's audit entries on its staff page and on the audit page", async () => {
    const staff = await makeUser("staff");
    const { instance, operation } = await paidInstanceWithProvision();
    await apiAs(staff).staff.cancelOperation({ operationId: operation.id, reason: "visible in the audit log" });
    const detail = await apiAs(staff).staff.instance({ id: instance.id });
    expect(detail.audit).toEqual([expect.objectContaining({ reason: "visible in the audit log", instanceSubdomain: instance.subdomain })]);
    expect(detail.activeOperation).toMatchObject({ id: operation.id, cancelRequestedAt: expect.any(Date) });
    const page = await apiAs(staff).staff.audit({ actor: staff.email });
    expect(page.rows).toEqual([expect.objectContaining({ action: "cancel_operation", outcome: "accepted", instanceId: instance.id })]);
    const refusedOnly = await apiAs(staff).staff.audit({ actor: staff.email, outcome: "refused" });
    expect(refusedOnly.total).toBe(0);
  });
});

describe("the staff instance view", () => {
  it("shows the ledger's names and ids but never its secrets", async () => {
    const staff = await makeUser("staff");
    const { instance } = await paidInstanceWithProvision();
    const { ledgerFor } = await import("@/server/instances/ledger");
    await ledgerFor(db, instance.id).record("mysql.user", "edxapp_act", { role: "edxapp", databases: ["edxapp"], access: "all", server: "10.0.0.5:3306" }, { password: "never-show-this-password" });
    const detail = await apiAs(staff).staff.instance({ id: instance.id });
    expect(detail.ledger).toEqual([expect.objectContaining({ kind: "mysql.user", externalId: "edxapp_act", details: { role: "edxapp", databases: ["edxapp"], access: "all", server: "10.0.0.5:3306" } })]);
    expect(JSON.stringify(detail)).not.toContain("never-show-this-password");
    expect(detail.ledger[0]).not.toHaveProperty("secrets");
    expect(detail).toMatchObject({
      owner: { email: expect.any(String) },
      plan: { id: "starter" },
      hostnames: { lms: `${instance.subdomain}.localhost`, studio: `studio-${instance.subdomain}.localhost` },
      operations: [expect.objectContaining({ kind: "provision", status: "queued" })],
    });
  });

  it("answers NOT_FOUND for an instance that does not exist", async () => {
    const staff = await makeUser("staff");
    await expect(apiAs(staff).staff.instance({ id: crypto.randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("who may call staff procedures", () => {
  const calls: [string, (api: ReturnType<typeof createCaller>) => Promise<unknown>][] = [
    ["fleet", (api) => api.staff.fleet({ search: "a" })],
    ["statusCounts", (api) => api.staff.statusCounts()],
    ["instance", (api) => api.staff.instance({ id: crypto.randomUUID() })],
    ["queue", (api) => api.staff.queue()],
    ["audit", (api) => api.staff.audit()],
    ["charts", (api) => api.staff.charts()],
    ["cancelOperation", (api) => api.staff.cancelOperation({ operationId: crypto.randomUUID(), reason: "trying my luck" })],
    ["requeueJob", (api) => api.staff.requeueJob({ jobId: "1", reason: "trying my luck" })],
  ];

  it.each(calls)("refuses staff.%s to a client (FORBIDDEN) and to a visitor (UNAUTHORIZED), and records nothing", async (_name, call) => {
    const client: User = await makeUser("client");
    await expect(call(apiAs(client))).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(call(apiAs(null))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.select().from(auditLog).where(and(eq(auditLog.actorId, client.id)))).toHaveLength(0);
  });
});
