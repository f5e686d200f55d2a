// 2b. 1 000 SSE streams open on one web process: every one receives each event; memory per stream.
import { db } from "@/db";
import { appendInstanceEvent } from "@/server/instances/events";
import type { Scenario } from "../lib/context";
import { benchInstance, benchUser, BENCH_PASSWORD } from "../lib/fixtures";
import { mb, rssBytes } from "../lib/process-memory";
import { medianOf } from "../lib/report";
import { signIn } from "../lib/session";
import { openSse, subscriptionUrl } from "../lib/sse";

const EVENTS = 5;

export const sseFanout: Scenario = {
  name: "2. SSE fan-out",
  async run(ctx) {
    const streams = ctx.isSmoke ? 50 : 1000;
    const webPid = ctx.stack.children.get("web")!.pid!;
    const owner = await benchUser();
    const instance = await benchInstance(owner.id);
    const jar = await signIn(ctx.baseUrl, owner.email, BENCH_PASSWORD);
    const perStreamKb: number[] = [];
    const deliveredShare: number[] = [];
    const lastArrivalMs: number[] = [];
    let lastSeq = instance.lastEventSeq;
    for (let run = 0; run < ctx.runs; run++) {
      global.gc?.();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = rssBytes(webPid);
      const controller = new AbortController();
      const received = new Array<number>(streams).fill(0);
      let lastArrival = 0;
      const url = subscriptionUrl(ctx.baseUrl, "instances.events", { id: instance.id, lastEventId: String(lastSeq) });
      const opened = [];
      for (let i = 0; i < streams; i++) {
        opened.push(
          openSse(url, jar.header(), (message) => {
            if (message.id) {
              received[i]!++;
              lastArrival = performance.now();
            }
          }, controller.signal),
        );
        if (i % 50 === 49) await Promise.all(opened.slice(-50));
      }
      const pumps = (await Promise.all(opened)).map((s) => s.pump);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const during = rssBytes(webPid);
      const started = performance.now();
      for (let e = 0; e < EVENTS; e++) {
        await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `fan-out ${e}` });
        lastSeq++;
      }
      const deadline = Date.now() + 30_000;
      while (received.some((n) => n < EVENTS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const complete = received.filter((n) => n === EVENTS).length;
      controller.abort();
      await Promise.allSettled(pumps);
      perStreamKb.push((during - before) / 1024 / streams);
      deliveredShare.push((complete / streams) * 100);
      lastArrivalMs.push(lastArrival - started);
      ctx.log(`run ${run + 1}: ${complete}/${streams} streams got all ${EVENTS} events; web RSS ${mb(before).toFixed(0)} → ${mb(during).toFixed(0)} MB`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    return [
      { scenario: this.name, figure: `streams receiving every event (${streams} streams, ${EVENTS} events)`, unit: "%", runs: deliveredShare, goal: "100 %", pass: medianOf(deliveredShare) === 100 },
      { scenario: this.name, figure: "memory per open stream", unit: "KB", runs: perStreamKb, goal: "report", pass: null },
      { scenario: this.name, figure: `time until the last stream got all ${EVENTS} events`, unit: "ms", runs: lastArrivalMs, goal: "report", pass: null },
    ];
  },
};
