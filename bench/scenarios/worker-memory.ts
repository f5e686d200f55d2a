// 6. Memory, the worker: the stack's worker (the production bundle) idle, against a bare graphile-worker process
// with one no-op task (bench/lib/bare-worker.mjs), both sampled in the same window once their start-up jobs are done.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { env } from "@/server/env";
import type { Scenario } from "../lib/context";
import { mb, rssBytes } from "../lib/process-memory";
import { medianOf } from "../lib/report";

const SAMPLES = 5;
const RATIO_GOAL = 1.4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until no job of the portal's queue is due or running (failed ones waiting for a retry do not count). */
async function queueSettled(timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await db.execute<{ due: number }>(
      sql`select count(*)::int as due from graphile_worker._private_jobs where run_at <= now() and attempts < max_attempts`,
    );
    if (row?.due === 0) return;
    await sleep(250);
  }
  throw new Error(`the worker's start-up jobs were still due or running after ${timeoutMs / 1000} s`);
}

/**
 * A database of its own for the bare worker, beside the portal's on the same server. Not a schema of its own in
 * the portal's database: graphile-worker announces its schema migrations on a channel every worker of the database
 * listens to, whatever its schema, and the portal's worker, hearing a "breaking migration", stops taking jobs.
 */
async function bareWorkerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lyceum_bench_bare_worker_${process.pid}`;
  await db.execute(sql.raw(`create database ${name}`));
  const url = new URL(env().DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => void (await db.execute(sql.raw(`drop database if exists ${name} with (force)`))) };
}

function startBareWorker(concurrency: number, databaseUrl: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [path.join("bench", "lib", "bare-worker.mjs"), String(concurrency), "1000"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the bare graphile-worker exited (${code}) before its job ran`)));
  });
  return { child, ready };
}

export const workerMemory: Scenario = {
  name: "6. memory (worker)",
  async run(ctx) {
    const workerPid = ctx.stack.children.get("worker")!.pid!;
    // The same concurrency as the portal's worker: each worker slot holds a pool connection in both.
    const bareDatabase = await bareWorkerDatabase();
    const bare = startBareWorker(env().WORKER_CONCURRENCY, bareDatabase.url);
    try {
      await bare.ready;
      // Start-up: the reconcile_compute job the worker queues, and (full runs) the crontab's first every-minute
      // jobs, whose modules an idle worker then keeps.
      if (!ctx.isSmoke) await sleep(60_000 - (Date.now() % 60_000) + 2_000);
      await queueSettled(120_000);
      const windowMs = ctx.isSmoke ? 4_000 : 30_000;
      const workerSamples: number[] = [];
      const bareSamples: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        if (i > 0) await sleep(windowMs / (SAMPLES - 1));
        workerSamples.push(rssBytes(workerPid));
        bareSamples.push(rssBytes(bare.child.pid!));
      }
      ctx.log(`worker ${workerSamples.map((b) => mb(b).toFixed(0)).join(", ")} MB; bare graphile-worker ${bareSamples.map((b) => mb(b).toFixed(0)).join(", ")} MB`);
      return [
        {
          scenario: "6. memory",
          figure: `worker RSS, idle (${SAMPLES} samples over ${windowMs / 1000} s after start-up jobs)`,
          unit: "MB",
          runs: workerSamples.map(mb),
          baseline: { label: "bare graphile-worker, one no-op task", runs: bareSamples.map(mb) },
          goal: `≤ ${RATIO_GOAL}× baseline`,
          pass: medianOf(workerSamples) <= RATIO_GOAL * medianOf(bareSamples),
        },
      ];
    } finally {
      bare.child.kill("SIGTERM");
      await new Promise((resolve) => (bare.child.exitCode === null ? bare.child.once("exit", resolve) : resolve(null)));
      await bareDatabase.drop();
    }
  },
};
