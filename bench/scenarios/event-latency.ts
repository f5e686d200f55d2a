// 2a. Event → browser: an instance event inserted (as the worker does) until it arrives on an open SSE
// stream of the tRPC subscription; baseline: a raw Postgres LISTEN/NOTIFY round trip in the same run.
import postgres from "postgres";
import { db } from "@/db";
import { appendInstanceEvent } from "@/server/instances/events";
import type { Scenario } from "../lib/context";
import { benchInstance, benchUser, BENCH_PASSWORD } from "../lib/fixtures";
import { medianOf } from "../lib/report";
import { signIn } from "../lib/session";
import { openSse, subscriptionUrl } from "../lib/sse";
import { percentile } from "../lib/stats";

async function listenNotifyRoundTrips(databaseUrl: string, count: number): Promise<number[]> {
  const listener = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const notifier = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let wake: (() => void) | null = null;
  await listener.listen("bench_round_trip", () => wake?.());
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    const started = performance.now();
    await notifier`select pg_notify('bench_round_trip', ${String(i)})`;
    await arrived;
    samples.push(performance.now() - started);
  }
  await listener.end();
  await notifier.end();
  return samples;
}

export const eventLatency: Scenario = {
  name: "2. event → browser",
  async run(ctx) {
    const count = ctx.isSmoke ? 100 : 2000;
    const owner = await benchUser();
    const instance = await benchInstance(owner.id);
    const jar = await signIn(ctx.baseUrl, owner.email, BENCH_PASSWORD);
    const p50: number[] = [];
    const p99: number[] = [];
    const base50: number[] = [];
    const base99: number[] = [];
    // Only this scenario writes to the instance, so each event's sequence number is known before it exists.
    let lastSeq = instance.lastEventSeq;
    for (let run = 0; run < ctx.runs; run++) {
      const controller = new AbortController();
      const arrivals = new Map<number, () => void>();
      const url = subscriptionUrl(ctx.baseUrl, "instances.events", { id: instance.id, lastEventId: String(lastSeq) });
      const { pump } = await openSse(url, jar.header(), (message) => {
        if (!message.id) return;
        arrivals.get(Number(message.id))?.();
      }, controller.signal);
      // Let the stream reach its live phase before measuring.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const expected = ++lastSeq;
        const arrived = new Promise<void>((resolve) => arrivals.set(expected, resolve));
        const started = performance.now();
        await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `bench event ${i}` });
        await arrived;
        arrivals.delete(expected);
        latencies.push(performance.now() - started);
      }
      controller.abort();
      await pump;
      const baseline = await listenNotifyRoundTrips(ctx.stack.env.DATABASE_URL!, count);
      p50.push(percentile(latencies, 50));
      p99.push(percentile(latencies, 99));
      base50.push(percentile(baseline, 50));
      base99.push(percentile(baseline, 99));
      ctx.log(`run ${run + 1}: p50 ${p50.at(-1)!.toFixed(2)} ms, p99 ${p99.at(-1)!.toFixed(2)} ms (LISTEN/NOTIFY p50 ${base50.at(-1)!.toFixed(2)} ms)`);
    }
    return [
      { scenario: this.name, figure: `p50 of ${count}`, unit: "ms", runs: p50, baseline: { label: "LISTEN/NOTIFY", runs: base50 }, goal: "≤ 10 ms", pass: medianOf(p50) <= 10 },
      { scenario: this.name, figure: `p99 of ${count}`, unit: "ms", runs: p99, baseline: { label: "LISTEN/NOTIFY", runs: base99 }, goal: "≤ 50 ms", pass: medianOf(p99) <= 50 },
    ];
  },
};
