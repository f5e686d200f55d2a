// Injected faults against a real worker: a failing step shows live and fails the instance, Retry resumes at
// that step, Cancel stops a running one, and whatever a step made before it stopped is in the ledger.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceEvent } from "@/db/schema";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { auditLog, faultInjections, instanceOperations, operationSteps } = await import("@/db/schema");
const { runOperation } = await import("@/jobs/runner/runner");
const { provisionPipeline } = await import("@/jobs/pipelines/provision");
const { startWorker } = await import("@/jobs/start-worker");
const { streamInstanceEvents } = await import("@/server/events/stream");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { ledgerFor } = await import("@/server/instances/ledger");
const { LocalS3AdminClient } = await import("@/server/infra/object-storage/local-s3-admin-client");
const { startOperation } = await import("@/server/instances/operations");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { injectFault, instanceRow, namePrefixOf, namesOf, pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

async function stepRows(operationId: string) {
  const rows = await db.select().from(operationSteps).where(eq(operationSteps.operationId, operationId));
  return Object.fromEntries(rows.map((row) => [row.step, row]));
}

async function provisionOf(instanceId: string) {
  return (await db.query.instanceOperations.findFirst({
    where: and(eq(instanceOperations.instanceId, instanceId), eq(instanceOperations.kind, "provision")),
  }))!;
}

/** Collects the instance's events live until `until` says stop. */
function watch(instanceId: string, until: (event: { kind: string; data: unknown }) => boolean) {
  const controller = new AbortController();
  const seen: InstanceEvent[] = [];
  const done = (async () => {
    for await (const event of streamInstanceEvents(instanceId, 0, controller.signal)) {
      seen.push(event);
      if (until(event)) break;
    }
    controller.abort();
  })();
  return { seen, done };
}

const becomes = (status: string) => (event: { kind: string; data: unknown }) =>
  event.kind === "status_changed" && (event.data as { to: string }).to === status;

describe("a step that fails", () => {
  it("fails the instance at that step, live, and Retry resumes there without redoing the steps before it", async () => {
    const { owner, instance } = await registeredInstance();
    await injectFault({ instanceId: instance.id, step: "rabbitmq", message: "management API answered 503" });
    const failure = watch(instance.id, becomes("failed"));
    await pay(instance.id);
    await failure.done;

    const failed = failure.seen.find((event) => event.kind === "step_failed");
    expect(failed).toMatchObject({ step: "rabbitmq", level: "error" });
    expect(failed?.message).toContain("Create RabbitMQ virtual host and user failed: management API answered 503");
    expect(failure.seen.some((event) => event.kind === "log" && event.message.startsWith("Injected fault"))).toBe(true);
    const operation = await provisionOf(instance.id);
    expect(operation).toMatchObject({ status: "failed", error: "management API answered 503" });
    const before = await stepRows(operation.id);
    expect(before.mysql).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(before.rabbitmq).toMatchObject({ status: "failed", attempts: 1 });
    expect(before.render_config).toBeUndefined();

    const resumed = watch(instance.id, becomes("running"));
    expect(await apiAs(owner).instances.retry({ id: instance.id })).toMatchObject({ operationId: operation.id, resumesAt: "rabbitmq" });
    await resumed.done;
    const statuses = resumed.seen.filter((e) => e.kind === "status_changed").map((e) => (e.data as { to: string }).to);
    expect(statuses.slice(-4)).toEqual(["failed", "queued", "provisioning", "running"]);

    const after = await stepRows(operation.id);
    expect(after.mysql).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(after.mongodb).toMatchObject({ attempts: 1 });
    expect(after.rabbitmq).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await provisionOf(instance.id)).toMatchObject({ id: operation.id, status: "succeeded", error: null });
    const skipped = resumed.seen.filter((e) => e.kind === "step_skipped").map((e) => e.step);
    expect(skipped).toEqual(["show_preparing_page", "mysql", "mongodb"]);
    // Exactly one set of resources, whatever the retries.
    const row = await instanceRow(instance.id);
    const found = await services.mysqlResourcesStartingWith(`${namePrefixOf(row)}_`);
    expect(found.users).toHaveLength(namesOf(row).mysql.users.length);
    expect(await services.rabbitVhostsStartingWith(namePrefixOf(row))).toEqual([namesOf(row).rabbitmq.vhost]);
  });

  it("is retried by the worker on its own when the failure may pass, and the instance still comes up", async () => {
    const { instance } = await registeredInstance();
    await injectFault({ instanceId: instance.id, step: "mysql", phase: "after", message: "connection reset", isRetryable: true });
    await pay(instance.id);
    await waitForStatus(instance.id, "running");
    const steps = await stepRows((await provisionOf(instance.id)).id);
    expect(steps.mysql).toMatchObject({ status: "succeeded", attempts: 2 });
    const events = await db.query.instanceEvents.findMany({ where: (t, { eq }) => eq(t.instanceId, instance.id) });
    expect(events.find((e) => e.kind === "step_failed")?.message).toContain("connection reset. Will retry (attempt 2 of 6).");
  });

  it("can be retried by staff, but not by another client, and not while the instance is fine", async () => {
    const { instance } = await registeredInstance();
    await injectFault({ instanceId: instance.id, step: "render_config" });
    await pay(instance.id);
    await waitForStatus(instance.id, "failed");
    const stranger = await makeUser();
    await expect(apiAs(stranger).instances.retry({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const staff = await makeUser("staff");
    // Staff retry through the audited staff action; the owner's button on the page calls the same service.
    expect(await apiAs(staff).staff.retryOperation({ instanceId: instance.id, reason: "cause fixed" })).toMatchObject({ outcome: "accepted" });
    await waitForStatus(instance.id, "running");
    await expect(apiAs(staff).staff.retryOperation({ instanceId: instance.id, reason: "again" })).rejects.toThrow(
      "Only a failed instance can be retried.",
    );
    await expect(apiAs(staff).instances.retry({ id: instance.id })).rejects.toThrow("Only a failed instance can be retried.");
    const audit = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(audit.map((entry) => [entry.action, entry.outcome])).toEqual(
      expect.arrayContaining([
        ["retry_operation", "accepted"],
        ["retry_operation", "refused"],
      ]),
    );
  });
});

describe("an access key left behind", () => {
  it("is deleted, never handed out, when the ledger does not know it", async () => {
    const { instance } = await registeredInstance();
    const names = namesOf(await instanceRow(instance.id));
    // What a worker that died between minting a key and recording it leaves on the storage server.
    const admin = new LocalS3AdminClient({
      endpoint: process.env.S3_ENDPOINT!,
      region: process.env.S3_REGION ?? "us-east-1",
      rootCredentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID!, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY! },
    });
    const orphan = await admin.createAccessKey({ buckets: [names.objectStorage.bucket], name: names.objectStorage.iamUser });
    await pay(instance.id);
    await waitForStatus(instance.id, "running");
    const [recorded] = await ledgerFor(db, instance.id).list("s3.access_key");
    expect((await services.scopedKeysNamed(names.objectStorage.iamUser)).map((key) => key.accessKeyId)).toEqual([recorded!.externalId]);
    expect(recorded!.externalId).not.toBe(orphan.accessKeyId);
  });
});

describe("cancelling", () => {
  it("stops the running step, ends the operation cancelled, and leaves nothing made out of the ledger", async () => {
    const { owner, instance } = await registeredInstance();
    // The step creates its vhost and user, then hangs: a cancel arrives mid-step.
    await injectFault({ instanceId: instance.id, step: "rabbitmq", phase: "after", action: "hang" });
    await pay(instance.id);
    await eventually(async () => {
      const [fault] = await db.select().from(faultInjections).where(eq(faultInjections.instanceId, instance.id));
      return fault?.lastHitAt ? true : undefined;
    }, 60_000, "the step to hang");

    const staff = await makeUser("staff");
    await apiAs(owner).instances.cancel({ id: instance.id });
    await waitForStatus(instance.id, "failed");
    const operation = await provisionOf(instance.id);
    expect(operation).toMatchObject({ status: "cancelled", error: "cancelled on request" });
    expect((await stepRows(operation.id)).rabbitmq).toMatchObject({ status: "failed", error: "cancelled on request" });

    // Every resource of the instance that exists on the servers is in the ledger.
    const row = await instanceRow(instance.id);
    const prefix = namePrefixOf(row);
    const live = (await ledgerFor(db, instance.id).list()).map((entry) => entry.externalId);
    const onServers = await services.mysqlResourcesStartingWith(`${prefix}_`);
    const existing = [
      ...onServers.databases,
      ...onServers.users,
      ...(await services.rabbitVhostsStartingWith(prefix)),
      ...(await services.rabbitUsersStartingWith(prefix)).map((user) => user.name),
    ];
    expect(existing.length).toBeGreaterThan(15);
    for (const name of existing) expect(live).toContain(name);

    // And deprovisioning the failed instance removes all of it.
    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain, reason: "test teardown" });
    await waitForStatus(instance.id, "deprovisioned");
    expect(await services.mysqlResourcesStartingWith(`${prefix}_`)).toEqual({ databases: [], users: [], hosts: [] });
    expect(await services.rabbitVhostsStartingWith(prefix)).toEqual([]);
  });
});

describe("one operation at a time", () => {
  it("refuses a second operation while one is unfinished, and a second runner of the same operation waits", async () => {
    const { instance } = await registeredInstance();
    await injectFault({ instanceId: instance.id, step: "mysql", action: "hang" });
    await pay(instance.id);
    await eventually(async () => {
      const [fault] = await db.select().from(faultInjections).where(eq(faultInjections.instanceId, instance.id));
      return fault?.lastHitAt ? true : undefined;
    }, 60_000, "the step to hang");
    const operation = await provisionOf(instance.id);

    // Another operation is refused: by the page, by the service, and by the database's unique index itself.
    const staff = await makeUser("staff");
    await expect(apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain, reason: "test teardown" })).rejects.toThrow(
      "An instance that is provisioning cannot be deprovisioned.",
    );
    await expect(startOperation(db, { instanceId: instance.id, kind: "redeploy", initiator: "system" })).rejects.toThrow(
      "A provision operation is still in progress on this instance.",
    );
    await expect(db.insert(instanceOperations).values({ instanceId: instance.id, kind: "redeploy" })).rejects.toMatchObject({
      cause: { code: "23505" },
    });

    // A duplicate job (say, a worker wrongly thought dead) cannot run the instance's pipeline beside the first.
    await expect(
      runOperation(provisionPipeline, operation.id, { number: 2, maxAttempts: 6 }, undefined, { leaseWaitMs: 500 }),
    ).rejects.toThrow(/another worker has been running an operation on instance/);
    await apiAs(staff).instances.cancel({ id: instance.id });
    await waitForStatus(instance.id, "failed");
    expect((await stepRows(operation.id)).mysql).toMatchObject({ attempts: 1 });
  });
});
