// 9. Provisioning throughput: a batch of paid instances on the local compute driver, from the first signed
// checkout webhook to the last instance `running`, as instances per minute; first with the stack's one worker (the
// baseline), then with a second worker process beside it. Every instance of a batch is running at its end (its
// site process answers); they are stopped before the next batch, so both batches start from the same machine.
import { spawn, type ChildProcess } from "node:child_process";
import { inArray, sql } from "drizzle-orm";
import { db } from "@/db";
import { instances, workerProcesses } from "@/db/schema";
import { completeLocalCheckout } from "@/server/billing/local/simulator";
import { planById } from "@/server/billing/plans";
import { stripeSignatureHeader } from "@/server/billing/signature";
import { createLocalComputeDriver } from "@/server/infra/compute/local";
import { workerBundleEntry } from "../../scripts/lib/worker-bundle";
import type { BenchContext, Scenario } from "../lib/context";
import { benchInstance, benchUser } from "../lib/fixtures";
import { medianOf, type Figure } from "../lib/report";

const GOAL_RATIO = 1.7;
/** Webhooks in flight at once: a burst of customers paying, without one request per instance open at once. */
const SENDERS = 8;

/** Paid-for checkouts ready to be delivered (setup, not timed). */
async function paidCheckouts(count: number) {
  const checkouts: { instanceId: string; body: string }[] = [];
  for (let i = 0; i < count; i++) {
    const owner = await benchUser();
    const instance = await benchInstance(owner.id);
    const plan = planById(instance.plan);
    const events = await db.transaction((tx) => completeLocalCheckout(tx, { instance, owner, plan, trialDays: plan.trialDays, withCard: true }));
    checkouts.push({ instanceId: instance.id, body: JSON.stringify(events.find((event) => event.type === "checkout.session.completed")) });
  }
  return checkouts;
}

/** Instances per minute for one batch: the webhooks delivered, then every instance running (any failure stops it). */
async function batch(ctx: BenchContext, count: number, timeoutMs: number): Promise<number> {
  const checkouts = await paidCheckouts(count);
  const ids = checkouts.map((checkout) => checkout.instanceId);
  const started = performance.now();
  const queue = [...checkouts];
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let checkout = queue.shift(); checkout; checkout = queue.shift()) {
        const response = await fetch(`${ctx.baseUrl}/api/stripe/webhook`, {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": stripeSignatureHeader(checkout.body, ctx.stack.env.STRIPE_WEBHOOK_SECRET!) },
          body: checkout.body,
        });
        if (!response.ok) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
      }
    }),
  );
  for (;;) {
    const rows = await db
      .select({ status: instances.status, count: sql<number>`count(*)::int` })
      .from(instances)
      .where(inArray(instances.id, ids))
      .groupBy(instances.status);
    const running = rows.find((row) => row.status === "running")?.count ?? 0;
    const failed = rows.find((row) => row.status === "failed")?.count ?? 0;
    if (failed > 0) throw new Error(`${failed} of ${count} instances failed to provision`);
    if (running === count) break;
    if (performance.now() - started > timeoutMs) throw new Error(`only ${running} of ${count} instances running after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return count / ((performance.now() - started) / 60_000);
}

/** A second worker, as production adds one: the same bundle and environment, its own process. */
async function startExtraWorker(ctx: BenchContext): Promise<ChildProcess> {
  const [before] = await db.select({ count: sql<number>`count(*)::int` }).from(workerProcesses);
  const child = spawn(process.execPath, [workerBundleEntry()], { env: ctx.stack.env, stdio: "ignore" });
  // Started once it has registered itself (jobs/start-worker.ts), as the stack's worker did.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the second worker exited (${child.exitCode}) before it started`);
    const [now] = await db.select({ count: sql<number>`count(*)::int` }).from(workerProcesses);
    if (now!.count > before!.count) return child;
    if (Date.now() > deadline) throw new Error("the second worker did not register within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopWorker(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export const provisioningThroughput: Scenario = {
  name: "9. provisioning throughput",
  async run(ctx) {
    const count = ctx.isSmoke ? 8 : Number(process.env.BENCH_PROVISION_INSTANCES ?? 500);
    const timeoutMs = Math.max(120_000, count * 2_000);
    const compute = createLocalComputeDriver(ctx.stack.env.LYCEUM_STATE_DIR!);
    const one: number[] = [];
    const two: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      one.push(await batch(ctx, count, timeoutMs));
      await compute.stopAll();
      const extra = await startExtraWorker(ctx);
      try {
        two.push(await batch(ctx, count, timeoutMs));
      } finally {
        await stopWorker(extra);
        await compute.stopAll();
      }
      ctx.log(`run ${run + 1}: ${count} instances, 1 worker ${one.at(-1)!.toFixed(1)}/min, 2 workers ${two.at(-1)!.toFixed(1)}/min`);
    }
    const figure = (label: string, runs: number[], pass: boolean | null, goal: string): Figure => ({
      scenario: this.name,
      figure: `${label}, ${count} paid instances on the local driver, all running`,
      unit: "instances/min",
      runs,
      baseline: { label: "1 worker", runs: one },
      goal,
      pass,
    });
    return [
      figure("1 worker", one, null, "baseline"),
      figure("2 workers", two, medianOf(two) >= GOAL_RATIO * medianOf(one), `≥ ${GOAL_RATIO}× 1 worker`),
    ];
  },
};
