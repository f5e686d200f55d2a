// 4. SSR: the instance page (signed-in owner, 50 events) under 50 connections for 20 s, against the build's
// minimal dynamic page. 6. Memory: the web process idle and at its peak under that load, against a bare Next.js
// app idle and at its peak under the same load, in the same run (the worker's idle memory is
// scenarios/worker-memory.ts).
import autocannon from "autocannon";
import { freePort } from "@/server/net/free-port";
import type { Scenario } from "../lib/context";
import { benchInstance, benchUser, BENCH_PASSWORD } from "../lib/fixtures";
import { buildMinimalApp, startMinimalApp } from "../lib/minimal-app";
import { mb, rssBytes } from "../lib/process-memory";
import { medianOf, type Figure } from "../lib/report";
import { signIn } from "../lib/session";
import { waitForHttp } from "../../scripts/lib/stack";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function load(url: string, cookie: string, seconds: number, onTick?: () => void) {
  const ticker = onTick ? setInterval(onTick, 500) : null;
  try {
    const result = await autocannon({ url, connections: 50, duration: seconds, headers: { cookie } });
    return {
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
    };
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

export const ssrAndMemory: Scenario = {
  name: "4. SSR",
  async run(ctx) {
    const seconds = ctx.isSmoke ? 3 : 20;
    const webPid = ctx.stack.children.get("web")!.pid!;
    const owner = await benchUser();
    const instance = await benchInstance(owner.id, 50);
    const jar = await signIn(ctx.baseUrl, owner.email, BENCH_PASSWORD);
    const pageUrl = `${ctx.baseUrl}/instances/${instance.id}`;
    const minimalUrl = `${ctx.baseUrl}/bench/minimal`;
    for (const url of [pageUrl, minimalUrl]) {
      const response = await fetch(url, { headers: { cookie: jar.header() } });
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      if (url === pageUrl && !(await response.text()).includes("Setup event 50 of 50")) throw new Error("the instance page lacks its events");
    }
    await sleep(3000);
    const webIdle = [rssBytes(webPid)];

    // The memory floor: a bare Next.js app, idle and then under the same load as the instance page, in this run.
    ctx.log("building a bare Next.js app for the memory floor…");
    buildMinimalApp();
    const port = await freePort();
    const minimalApp = startMinimalApp(port);
    const bareUrl = `http://127.0.0.1:${port}/`;
    const minimalIdle: number[] = [];
    const pageRps: number[] = [];
    const minimalRps: number[] = [];
    const pageP50: number[] = [];
    const pageP99: number[] = [];
    const minimalP50: number[] = [];
    const minimalP99: number[] = [];
    const webUnderLoad: number[] = [];
    const bareUnderLoad: number[] = [];
    let failures = 0;
    try {
      await waitForHttp(bareUrl, 60_000);
      for (let i = 0; i < 5; i++) await fetch(bareUrl);
      await sleep(3000);
      minimalIdle.push(rssBytes(minimalApp.pid!));
      for (let run = 0; run < ctx.runs; run++) {
        let peak = 0;
        const page = await load(pageUrl, jar.header(), seconds, () => (peak = Math.max(peak, rssBytes(webPid))));
        const minimal = await load(minimalUrl, jar.header(), seconds);
        let barePeak = 0;
        const bare = await load(bareUrl, jar.header(), seconds, () => (barePeak = Math.max(barePeak, rssBytes(minimalApp.pid!))));
        failures += page.failures + minimal.failures + bare.failures;
        pageRps.push(page.requestsPerSecond);
        minimalRps.push(minimal.requestsPerSecond);
        pageP50.push(page.p50);
        pageP99.push(page.p99);
        minimalP50.push(minimal.p50);
        minimalP99.push(minimal.p99);
        webUnderLoad.push(peak);
        bareUnderLoad.push(barePeak);
        ctx.log(
          `run ${run + 1}: instance page ${page.requestsPerSecond.toFixed(0)} req/s, minimal page ${minimal.requestsPerSecond.toFixed(0)} req/s, ${page.failures + minimal.failures + bare.failures} failures; peak RSS ${mb(peak).toFixed(0)} MB (bare Next.js app ${mb(barePeak).toFixed(0)} MB at ${bare.requestsPerSecond.toFixed(0)} req/s)`,
        );
      }
    } finally {
      minimalApp.kill("SIGTERM");
    }

    const rpsRatio = medianOf(pageRps) / medianOf(minimalRps);
    const figures: Figure[] = [
      {
        scenario: this.name,
        figure: `instance page, 50 events, 50 connections × ${seconds} s`,
        unit: "req/s",
        runs: pageRps,
        baseline: { label: "minimal dynamic page", runs: minimalRps },
        goal: "≥ 0.8× baseline",
        pass: rpsRatio >= 0.8 && failures === 0,
      },
      { scenario: this.name, figure: "instance page latency p50", unit: "ms", runs: pageP50, baseline: { label: "minimal page", runs: minimalP50 }, goal: "report", pass: null },
      { scenario: this.name, figure: "instance page latency p99", unit: "ms", runs: pageP99, baseline: { label: "minimal page", runs: minimalP99 }, goal: "report", pass: null },
      {
        scenario: "6. memory",
        figure: "web process RSS, idle",
        unit: "MB",
        runs: webIdle.map(mb),
        baseline: { label: "bare Next.js app idle", runs: minimalIdle.map(mb) },
        goal: "≤ 1.5× baseline",
        pass: medianOf(webIdle) <= 1.5 * medianOf(minimalIdle),
      },
      {
        scenario: "6. memory",
        figure: `web process RSS, peak under scenario 4's load (50 connections × ${seconds} s)`,
        unit: "MB",
        runs: webUnderLoad.map(mb),
        baseline: { label: "bare Next.js app's peak under the same load", runs: bareUnderLoad.map(mb) },
        goal: "≤ 2× baseline",
        pass: medianOf(webUnderLoad) <= 2 * medianOf(bareUnderLoad),
      },
    ];
    return figures;
  },
};
