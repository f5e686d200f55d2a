// Every driver call has a time limit of its own and stops when its step is told to stop (defect 4 beyond MySQL).
// RabbitMQ's management API and S3 each get a request held on the wire (the proxy keeps its bytes, as a link that
// stalls and later heals does) while the service answers everyone else. The held call must end at
// DRIVER_CALL_TIMEOUT_SECONDS, not at the step's limit; held again on the retry, the owner cancels and staff
// deprovision; only then the link heals. Nothing the held requests carried may reach the service afterwards: no
// vhost, user, bucket or key of the instance remains and reconcile finds no orphan.
import { afterAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "../helpers/fault-proxy";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();
const CALL_TIMEOUT_SECONDS = 4;
process.env.DRIVER_CALL_TIMEOUT_SECONDS = String(CALL_TIMEOUT_SECONDS);
const rabbitUrl = new URL(process.env.RABBITMQ_MANAGEMENT_URL ?? "http://guest:guest@127.0.0.1:15672");
const rabbitProxy = await startFaultProxy({ host: rabbitUrl.hostname, port: Number(rabbitUrl.port || 15672) });
process.env.RABBITMQ_MANAGEMENT_URL = rabbitProxy.urlFor(rabbitUrl.toString());
const s3Url = new URL(process.env.S3_ENDPOINT!);
const s3Proxy = await startFaultProxy({ host: s3Url.hostname, port: Number(s3Url.port) });
const directS3Endpoint = process.env.S3_ENDPOINT!;
process.env.S3_ENDPOINT = s3Proxy.urlFor(directS3Endpoint).replace(/\/$/, "");

const { and, eq } = await import("drizzle-orm");
const { db } = await import("@/db");
const { instanceEvents, instanceOperations } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { infra } = await import("@/server/infra");
const { reconcileResources } = await import("@/server/reconcile/run");
const { apiAs, makeUser } = await import("../helpers/accounts");
const { bucketsStartingWith, rabbitUsersStartingWith, rabbitVhostsStartingWith, scopedKeysNamed } = await import("../helpers/data-services");
const { namesOf, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();
afterAll(async () => {
  await rabbitProxy.close();
  await s3Proxy.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Proxy = Awaited<ReturnType<typeof startFaultProxy>>;

/**
 * Holds the step's create request on the wire; checks that the call ends at its own limit; holds it again on the
 * retry, cancels, deprovisions, then heals the link. Returns the instance's names, for the caller's checks.
 */
async function stuckCallCancelledAndDeprovisioned(proxy: Proxy, step: string, isCreate: (chunk: string, names: ReturnType<typeof namesOf>) => boolean) {
  const { owner, instance } = await registeredInstance(undefined, `Stuck ${step} Academy`);
  const names = namesOf(instance);
  const firstHeld = proxy.holdWhen((chunk) => isCreate(chunk.toString("latin1"), names));
  await pay(instance.id);
  await firstHeld;

  // The held call ends at DRIVER_CALL_TIMEOUT_SECONDS, long before the step's own limit, and the step says why.
  const failed = await eventually(
    async () =>
      (
        await db
          .select()
          .from(instanceEvents)
          .where(and(eq(instanceEvents.instanceId, instance.id), eq(instanceEvents.kind, "step_failed"), eq(instanceEvents.step, step)))
      )[0],
    60_000,
    `the ${step} step to fail`,
  );
  expect(failed.message).toContain(`no answer within ${CALL_TIMEOUT_SECONDS} s`);
  expect(Number(failed.data?.durationMs)).toBeLessThan((CALL_TIMEOUT_SECONDS + 5) * 1000);

  // The retry's create is held too; the owner cancels while it is on the wire.
  await proxy.holdWhen((chunk) => isCreate(chunk.toString("latin1"), names));
  await apiAs(owner).instances.cancel({ id: instance.id });
  const cancelled = await eventually(async () => {
    const operation = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.instanceId, instance.id) });
    return operation?.status === "cancelled" ? operation : undefined;
  }, 30_000, "the provision to be cancelled");

  const staff = await makeUser("staff");
  const current = await db.query.instances.findFirst({ where: (t, { eq: equals }) => equals(t.id, instance.id) });
  await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: current!.subdomain!, reason: "fault test" });
  await waitForStatus(instance.id, "deprovisioned", 120_000);
  // The lease was the provision's until its step had ended: the deprovision started after the cancel.
  const deprovision = await db.query.instanceOperations.findFirst({
    where: (t, { and: all, eq: equals }) => all(equals(t.instanceId, instance.id), equals(t.kind, "deprovision")),
  });
  expect(deprovision!.startedAt!.getTime()).toBeGreaterThanOrEqual(cancelled.finishedAt!.getTime());

  proxy.pass();
  // Whatever was still held now reaches the service; give a late create time to land.
  await sleep(3_000);
  return { instance, names };
}

async function orphansOf(instanceId: string) {
  const report = await reconcileResources(db, infra(), env(), { trigger: "staff" });
  return { errors: report.errors, orphans: report.orphans.filter((orphan) => orphan.instanceId === instanceId) };
}

describe("a driver call held on the wire", () => {
  it("RabbitMQ: ends at its own time limit, and after cancel and deprovision no vhost or user of the instance remains", async () => {
    const { instance, names } = await stuckCallCancelledAndDeprovisioned(
      rabbitProxy,
      "rabbitmq",
      (chunk, { rabbitmq }) => chunk.startsWith(`PUT /api/vhosts/${encodeURIComponent(rabbitmq.vhost)} `),
    );
    expect(await rabbitVhostsStartingWith(names.rabbitmq.vhost)).toEqual([]);
    expect(await rabbitUsersStartingWith(names.rabbitmq.user)).toEqual([]);
    const { errors, orphans } = await orphansOf(instance.id);
    expect(errors.filter((error) => error.kind.startsWith("rabbitmq"))).toEqual([]);
    expect(orphans).toEqual([]);
  });

  it("S3: ends at its own time limit, and after cancel and deprovision no bucket or key of the instance remains", async () => {
    const { instance, names } = await stuckCallCancelledAndDeprovisioned(
      s3Proxy,
      "object_storage",
      (chunk, { objectStorage }) => chunk.startsWith(`PUT /${objectStorage.bucket}/ `),
    );
    const direct = process.env.S3_ENDPOINT;
    process.env.S3_ENDPOINT = directS3Endpoint;
    try {
      expect(await bucketsStartingWith(names.objectStorage.bucket)).toEqual([]);
      expect(await scopedKeysNamed(names.objectStorage.iamUser)).toEqual([]);
    } finally {
      process.env.S3_ENDPOINT = direct;
    }
    const { errors, orphans } = await orphansOf(instance.id);
    expect(errors.filter((error) => error.kind.startsWith("s3"))).toEqual([]);
    expect(orphans).toEqual([]);
  });
});
