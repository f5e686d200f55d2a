// 2b. 10 000 SSE streams open on one web process: every one receives each event, how long each event takes to
// reach the streams (from the insert, as the worker makes it, to the bytes arriving), and the web process's RSS.
// The streams are raw sockets read by a few client processes (bench/lib/sse-clients.mjs), so the generator's own
// CPU does not sit in the process that times the events.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { db } from "@/db";
import { appendInstanceEvent } from "@/server/instances/events";
import type { Scenario } from "../lib/context";
import { benchInstance, benchUser, BENCH_PASSWORD } from "../lib/fixtures";
import { mb, rssBytes } from "../lib/process-memory";
import { medianOf } from "../lib/report";
import { signIn } from "../lib/session";
import { subscriptionUrl } from "../lib/sse";
import { percentile } from "../lib/stats";

const EVENTS = 5;
const CLIENT_PROCESSES = 4;
const now = () => performance.timeOrigin + performance.now();

function ask<T>(child: ChildProcess, message: object, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`an SSE client process exited (${code})`));
    const onMessage = (reply: Record<string, unknown>) => {
      if (!(key in reply)) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(reply as T);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send(message);
  });
}

export const sseFanout: Scenario = {
  name: "2. SSE fan-out",
  async run(ctx) {
    // BENCH_SSE_STREAMS: fewer on a machine that cannot open 10 000 in reasonable time (the figure names its count).
    const streams = Number(process.env.BENCH_SSE_STREAMS) || (ctx.isSmoke ? 200 : 10_000);
    const webPid = ctx.stack.children.get("web")!.pid!;
    const owner = await benchUser();
    const instance = await benchInstance(owner.id);
    const jar = await signIn(ctx.baseUrl, owner.email, BENCH_PASSWORD);
    const { hostname, port } = new URL(ctx.baseUrl);
    const deliveredShare: number[] = [];
    const p50: number[] = [];
    const p99: number[] = [];
    const lastArrivalMs: number[] = [];
    const rssOpen: number[] = [];
    const rssPeak: number[] = [];
    const perStreamKb: number[] = [];
    let lastSeq = instance.lastEventSeq;
    for (let run = 0; run < ctx.runs; run++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = rssBytes(webPid);
      const clients = Array.from({ length: CLIENT_PROCESSES }, () =>
        fork(path.join("bench", "lib", "sse-clients.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] }),
      );
      try {
        const url = new URL(subscriptionUrl(ctx.baseUrl, "instances.events", { id: instance.id, lastEventId: String(lastSeq) }));
        const share = Math.ceil(streams / CLIENT_PROCESSES);
        const openedStarted = Date.now();
        const opened = await Promise.all(
          clients.map((child, i) =>
            ask<{ opened: number; failed: number }>(
              child,
              { open: { host: hostname, port: Number(port), path: url.pathname + url.search, cookie: jar.header(), count: Math.min(share, streams - i * share) } },
              "opened",
            ),
          ),
        );
        const openCount = opened.reduce((sum, o) => sum + o.opened, 0);
        ctx.log(`run ${run + 1}: ${openCount}/${streams} streams open in ${((Date.now() - openedStarted) / 1000).toFixed(1)} s`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const open = rssBytes(webPid);
        let peak = open;
        const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(webPid))), 100);
        const startedAt = new Map<number, number>();
        // One event at a time, each once the previous one has reached every stream (or 20 s passed): each
        // event's spread is its own, not the previous event's queue.
        for (let e = 0; e < EVENTS; e++) {
          const seq = ++lastSeq;
          startedAt.set(seq, now());
          await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `fan-out ${e}` });
          const deadline = Date.now() + 20_000;
          for (;;) {
            const counts = await Promise.all(clients.map((child) => ask<{ count: number }>(child, { countOf: seq }, "count")));
            const got = counts.reduce((sum, c) => sum + c.count, 0);
            if (got >= streams || Date.now() > deadline) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        clearInterval(sampler);
        const reports = await Promise.all(clients.map((child) => ask<{ arrivals: Record<string, number[]> }>(child, { report: true }, "arrivals")));
        const latencies: number[] = [];
        let complete = 0;
        let last = 0;
        for (const [seq, started] of startedAt) {
          const times = reports.flatMap((r) => r.arrivals[seq] ?? []);
          if (times.length === streams) complete++;
          for (const at of times) {
            latencies.push(at - started);
            last = Math.max(last, at - started);
          }
        }
        // Every stream got every event exactly once: as many arrivals as streams × events, and each event complete.
        const isExact = latencies.length === streams * EVENTS;
        deliveredShare.push(isExact && complete === EVENTS ? 100 : (latencies.length / (streams * EVENTS)) * 100);
        p50.push(percentile(latencies, 50));
        p99.push(percentile(latencies, 99));
        lastArrivalMs.push(last);
        rssOpen.push(open);
        rssPeak.push(peak);
        perStreamKb.push((open - before) / 1024 / streams);
        ctx.log(
          `run ${run + 1}: ${latencies.length}/${streams * EVENTS} deliveries, p50 ${p50.at(-1)!.toFixed(1)} ms, p99 ${p99.at(-1)!.toFixed(1)} ms, last ${last.toFixed(0)} ms; web RSS ${mb(before).toFixed(0)} → ${mb(open).toFixed(0)} MB open, ${mb(peak).toFixed(0)} MB peak`,
        );
      } finally {
        for (const child of clients) if (child.connected) child.send({ close: true });
        await Promise.all(clients.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : null)));
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    return [
      { scenario: this.name, figure: `deliveries: each of ${streams} streams gets each of ${EVENTS} events once`, unit: "%", runs: deliveredShare, goal: "100 %", pass: medianOf(deliveredShare) === 100 },
      { scenario: this.name, figure: `event → stream p50, ${streams} streams`, unit: "ms", runs: p50, goal: "report", pass: null },
      { scenario: this.name, figure: `event → stream p99, ${streams} streams`, unit: "ms", runs: p99, goal: "≤ 50 ms", pass: medianOf(p99) <= 50 },
      { scenario: this.name, figure: `time until the last stream got an event`, unit: "ms", runs: lastArrivalMs, goal: "report", pass: null },
      { scenario: this.name, figure: `web process RSS, ${streams} streams open`, unit: "MB", runs: rssOpen.map(mb), goal: "report", pass: null },
      { scenario: this.name, figure: `web process RSS, peak while events reach ${streams} streams`, unit: "MB", runs: rssPeak.map(mb), goal: "≤ 1200 MB", pass: mb(medianOf(rssPeak)) <= 1200 },
      { scenario: this.name, figure: "memory per open stream", unit: "KB", runs: perStreamKb, goal: "report", pass: null },
    ];
  },
};
