// Heartbeats survive a gap and a skewed clock: a live worker is never taken for dead over and over.
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

const databaseUrl = await isolatedDatabase();
const { db, closeDb } = await import("@/db");
const { workerProcesses } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { releaseStaleLocks } = await import("@/jobs/crash-recovery");
const { HEARTBEAT_INTERVAL_MS } = await import("@/server/queue/worker-heartbeat");
const { makeWorkerUtils } = await import("graphile-worker");
const { eventually } = await import("../helpers/waiting");

const utils = await makeWorkerUtils({ connectionString: databaseUrl });

afterAll(async () => {
  await utils.release();
  await closeDb();
});

const rowOf = async (id: string) => (await db.select().from(workerProcesses).where(eq(workerProcesses.id, id)))[0];

describe("worker heartbeats", () => {
  it("a live worker whose row was reaped during a gap writes it back, with its graphile-worker ids, at its next beat", async () => {
    const worker = await startWorker({ concurrency: 1, quiet: true });
    try {
      // The pool's id and each worker's are recorded as graphile-worker creates them: wait for both.
      const registered = await eventually(async () => {
        const row = await rowOf(worker.processId);
        return row && row.graphileWorkerIds.length >= 2 ? row : undefined;
      }, 10_000, "the worker's row with its pool and worker ids");
      // What a neighbour does after this worker's heartbeat went unseen for 45 s (a Postgres outage, a stall).
      await db.delete(workerProcesses).where(eq(workerProcesses.id, worker.processId));

      const back = await eventually(() => rowOf(worker.processId), HEARTBEAT_INTERVAL_MS + 5_000, "the row written back");
      expect(back.graphileWorkerIds).toEqual(registered.graphileWorkerIds);
      expect(back.pid).toBe(process.pid);
    } finally {
      await worker.stop();
    }
  });

  it("a worker whose clock runs a minute ahead does not take a neighbour with a fresh heartbeat for dead", async () => {
    await db.insert(workerProcesses).values({ id: "proc-neighbour-fresh", hostname: "other", pid: 1, graphileWorkerIds: ["neighbour-fresh"] });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 60_000 });
    let unlocked: string[];
    try {
      unlocked = await releaseStaleLocks(utils);
    } finally {
      vi.useRealTimers();
    }
    expect(unlocked).not.toContain("neighbour-fresh");
    expect(await rowOf("proc-neighbour-fresh")).toBeDefined();
  });

  it("a neighbour whose heartbeat is older than the limit on the database's clock is released", async () => {
    await db.insert(workerProcesses).values({
      id: "proc-neighbour-stale",
      hostname: "other",
      pid: 2,
      graphileWorkerIds: ["neighbour-stale"],
      lastHeartbeatAt: sql`now() - interval '60 seconds'`,
    });
    expect(await releaseStaleLocks(utils)).toContain("neighbour-stale");
    expect(await rowOf("proc-neighbour-stale")).toBeUndefined();
  });
});
