// A worker dies on an operation's last attempt. graphile-worker will not pick the job up again, so without a
// sweep the operation stays `running` forever and the instance can never be retried, suspended or removed.
import { spawn, type ChildProcess } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";
import { exited } from "../helpers/worker-processes";

const databaseUrl = await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { faultInjections, instanceOperations } = await import("@/db/schema");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { releaseStaleLocks } = await import("@/jobs/crash-recovery");
const { failStrandedOperations } = await import("@/jobs/stranded-operations");
const { startWorker } = await import("@/jobs/start-worker");
const { metrics } = await import("@/server/observability/metrics");
const { makeWorkerUtils } = await import("graphile-worker");
const { injectFault, instanceRow, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { apiAs } = await import("../helpers/accounts");
const { eventually } = await import("../helpers/waiting");

const children: ChildProcess[] = [];
const utils = await makeWorkerUtils({ connectionString: databaseUrl });

afterAll(async () => {
  for (const child of children) {
    child.kill("SIGKILL");
    await exited(child);
  }
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await utils.release();
  await closeInfrastructure();
  await closeDb();
});

const operationOf = async (instanceId: string) =>
  (await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)))[0]!;
/** The payment's event is processed by a worker, which then starts the provision operation. */
const provisionStarted = (instanceId: string) =>
  eventually(async () => (await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)))[0], 60_000, "the provision operation");
/** As if five earlier attempts had died: this one is the last. */
const makeLastAttempt = (operationId: string) =>
  db.execute(sql`update graphile_worker._private_jobs set max_attempts = 1 where key = ${`operation:${operationId}`}`);
const jobOf = async (operationId: string) =>
  (
    await db.execute<{ attempts: number; max_attempts: number; locked_by: string | null }>(
      sql`select attempts, max_attempts, locked_by from graphile_worker._private_jobs where key = ${`operation:${operationId}`}`,
    )
  )[0];
const faultHit = (instanceId: string) =>
  eventually(async () => {
    const [fault] = await db.select().from(faultInjections).where(eq(faultInjections.instanceId, instanceId));
    return fault?.lastHitAt ? true : undefined;
  }, 90_000, "the worker to reach the hanging step");

describe("a worker that dies on an operation's last attempt", () => {
  it("leaves an operation the sweep fails, releasing the instance, counting it, and Retry then finishes it", { timeout: 240_000 }, async () => {
    const { owner, instance } = await registeredInstance(undefined, "Last Attempt Academy");
    await injectFault({ instanceId: instance.id, step: "rabbitmq", phase: "before", action: "hang" });
    const worker = spawn(process.execPath, ["--import", "tsx", "jobs/worker.ts"], { env: { ...process.env, WORKER_CONCURRENCY: "2" }, stdio: "ignore" });
    children.push(worker);
    await pay(instance.id);
    const operation = await provisionStarted(instance.id);
    await makeLastAttempt(operation.id);
    await faultHit(instance.id);
    worker.kill("SIGKILL");
    await exited(worker);
    // What the next live worker's crash recovery does with the dead one's lock (it waits 45 s for that). It passes
    // again until Postgres has ended the killed process's session: until then its liveness lock still stands.
    const job = await eventually(async () => {
      await releaseStaleLocks(utils, 0);
      const row = await jobOf(operation.id);
      return row?.locked_by === null ? row : undefined;
    }, 20_000, "the dead worker's job lock to be released");
    expect(job).toMatchObject({ attempts: 1, max_attempts: 1, locked_by: null }); // graphile-worker will never run it again
    expect((await operationOf(instance.id)).status).toBe("running");

    const strandedBefore = (await metrics().operationsStranded.get()).values.reduce((sum, value) => sum + value.value, 0);
    expect(await failStrandedOperations(0)).toEqual([operation.id]);
    const failed = await operationOf(instance.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/last attempt/);
    expect((await instanceRow(instance.id)).status).toBe("failed");
    const strandedAfter = (await metrics().operationsStranded.get()).values.reduce((sum, value) => sum + value.value, 0);
    expect(strandedAfter).toBe(strandedBefore + 1);
    expect(await failStrandedOperations(0)).toEqual([]); // once

    const rescuer = await startWorker({ concurrency: 2, quiet: true });
    try {
      await apiAs(owner).instances.retry({ id: instance.id });
      await waitForStatus(instance.id, "running", 120_000);
    } finally {
      await rescuer.stop();
    }
  });

  it("leaves alone an operation whose runner is alive, even with its attempts used", { timeout: 120_000 }, async () => {
    const { instance } = await registeredInstance(undefined, "Busy Academy");
    await injectFault({ instanceId: instance.id, step: "rabbitmq", phase: "before", action: "hang" });
    const worker = await startWorker({ concurrency: 2, quiet: true });
    try {
      await pay(instance.id);
      const operation = await provisionStarted(instance.id);
      await makeLastAttempt(operation.id);
      await faultHit(instance.id);
      // As if crash recovery had wrongly released the lock of this live worker: the lease still protects it.
      await db.execute(sql`update graphile_worker._private_jobs set locked_at = null, locked_by = null where key = ${`operation:${operation.id}`}`);
      expect(await failStrandedOperations(0)).toEqual([]);
      expect((await operationOf(instance.id)).status).toBe("running");
      await apiAs((await db.query.users.findFirst({ where: (users, { eq: equal }) => equal(users.id, instance.ownerId) }))!).instances.cancel({ id: instance.id });
      await eventually(async () => ((await operationOf(instance.id)).status === "cancelled" ? true : undefined), 30_000, "the cancel");
    } finally {
      await worker.stop();
    }
  });
});

describe("a worker that stops gracefully mid-step", () => {
  it("does not use up the operation's attempt: another worker resumes it with the same attempts left", { timeout: 120_000 }, async () => {
    const { instance } = await registeredInstance(undefined, "Graceful Academy");
    await injectFault({ instanceId: instance.id, step: "rabbitmq", phase: "before", action: "hang" });
    const worker = await startWorker({ concurrency: 2, quiet: true });
    await pay(instance.id);
    const operation = await provisionStarted(instance.id);
    await faultHit(instance.id);
    expect((await jobOf(operation.id))?.attempts).toBe(1);
    await worker.stop();
    const job = await eventually(async () => {
      const row = await jobOf(operation.id);
      return row?.locked_by === null ? row : undefined;
    }, 10_000, "the stopped worker to let go of the job");
    expect(job.attempts).toBe(0);

    const next = await startWorker({ concurrency: 2, quiet: true });
    try {
      await db.execute(sql`update graphile_worker._private_jobs set run_at = now() where key = ${`operation:${operation.id}`}`);
      await waitForStatus(instance.id, "running", 120_000);
    } finally {
      await next.stop();
    }
  });
});
