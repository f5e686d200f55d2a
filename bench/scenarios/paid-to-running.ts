// 1. Paid → running with the local drivers: from the signed webhook leaving the client to `running`.
import { spawn } from "node:child_process";
import postgres from "postgres";
import { db } from "@/db";
import { completeLocalCheckout } from "@/server/billing/local/simulator";
import { planById } from "@/server/billing/plans";
import { stripeSignatureHeader } from "@/server/billing/signature";
import { freePort } from "@/server/net/free-port";
import { createLocalComputeDriver } from "@/server/infra/compute/local";
import type { Scenario } from "../lib/context";
import { benchInstance, benchUser } from "../lib/fixtures";
import { medianOf } from "../lib/report";
import { percentile } from "../lib/stats";

/** The floor of the local compute driver: a bare Node HTTP server spawned and answering its first request. */
async function bareServerBootMs(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", `require("http").createServer((q,s)=>s.end("ok")).listen(${port},"127.0.0.1")`]);
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return performance.now() - started;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  } finally {
    child.kill();
  }
}

export const paidToRunning: Scenario = {
  name: "1. paid → running",
  async run(ctx) {
    const count = ctx.isSmoke ? 3 : 20;
    const listener = postgres(ctx.stack.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const waiting = new Map<string, () => void>();
    await listener.listen("instance_events", async (payload) => {
      const { instanceId } = JSON.parse(payload) as { instanceId: string };
      const wake = waiting.get(instanceId);
      if (!wake) return;
      const [row] = await listener`select status from instances where id = ${instanceId}`;
      if (row?.status === "running") wake();
    });
    const p50: number[] = [];
    const p99: number[] = [];
    const baseline: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const owner = await benchUser();
        const instance = await benchInstance(owner.id);
        // The offline driver records the subscription (as Stripe would at checkout); its checkout event is then timed.
        const events = await db.transaction((tx) =>
          completeLocalCheckout(tx, { instance, owner, plan: planById(instance.plan), trialDays: planById(instance.plan).trialDays, withCard: true }),
        );
        const body = JSON.stringify(events.find((event) => event.type === "checkout.session.completed"));
        const isRunning = new Promise<void>((resolve) => waiting.set(instance.id, resolve));
        const started = performance.now();
        const response = await fetch(`${ctx.baseUrl}/api/stripe/webhook`, {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": stripeSignatureHeader(body, ctx.stack.env.STRIPE_WEBHOOK_SECRET!) },
          body,
        });
        if (!response.ok) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
        await isRunning;
        latencies.push(performance.now() - started);
        waiting.delete(instance.id);
      }
      p50.push(percentile(latencies, 50));
      p99.push(percentile(latencies, 99));
      baseline.push(medianOf(await Promise.all([1, 2, 3].map(() => bareServerBootMs()))));
      ctx.log(`run ${run + 1}: p50 ${Math.round(p50.at(-1)!)} ms, p99 ${Math.round(p99.at(-1)!)} ms over ${count} instances`);
      // Free the local servers between runs (each is a Node process).
      await createLocalComputeDriver(ctx.stack.env.LYCEUM_STATE_DIR!).stopAll();
    }
    await listener.end();
    const floor = { label: "bare node server boot", runs: baseline };
    return [
      { scenario: this.name, figure: `p50 of ${count}`, unit: "ms", runs: p50, baseline: floor, goal: "≤ 5000 ms", pass: medianOf(p50) <= 5000 },
      { scenario: this.name, figure: `p99 of ${count}`, unit: "ms", runs: p99, baseline: floor, goal: "≤ 15000 ms", pass: medianOf(p99) <= 15000 },
    ];
  },
};
