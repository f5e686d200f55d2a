// `npm run bench` (`-- --smoke` for one short run of each scenario): starts the portal as users get it
// (`next build && next start`, the bundled worker, an embedded Postgres), runs each scenario, prints a Markdown table
// and writes bench/results.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadOrCreateDevSecrets } from "../scripts/lib/dev-secrets";
import { startStack, waitForHttp } from "../scripts/lib/stack";
import { buildWorkerBundle } from "../scripts/lib/worker-bundle";
import type { BenchContext, Scenario } from "./lib/context";
import { toMarkdown, writeResults, type Figure } from "./lib/report";

async function main() {
  const isSmoke = process.argv.includes("--smoke");
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  const port = Number(process.env.BENCH_PORT ?? 3400);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-bench-"));
  const log = (line: string) => console.error(`[bench] ${line}`);
  // `--only=SSR,pipeline`: the scenarios whose names contain any of the parts.
  const isSelected = (scenario: Scenario) => !only || only.split(",").some((part) => scenario.name.includes(part));
  // Scenarios that start what they measure themselves: alone (`--only`), they need no build and no stack.
  const standalone: Scenario[] = [(await import("./scenarios/app-server-scaling")).appServerScaling, (await import("./scenarios/cold-start")).coldStart];
  if (only && standalone.some(isSelected)) {
    const ctx: BenchContext = { baseUrl: "", stack: null as never, runs: isSmoke ? 1 : 3, isSmoke, staff: { email: "", password: "" }, log };
    const figures: Figure[] = [];
    for (const scenario of standalone.filter(isSelected)) {
      log(`${scenario.name}…`);
      figures.push(...(await scenario.run(ctx)));
    }
    report(figures, isSmoke);
    rmSync(stateDir, { recursive: true, force: true });
    process.exit(0);
  }

  if (process.env.BENCH_SKIP_BUILD !== "1") {
    log("next build…");
    execFileSync(path.join("node_modules", ".bin", "next"), ["build"], { stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    log("worker bundle…");
    await buildWorkerBundle();
  }
  const secrets = loadOrCreateDevSecrets(stateDir);
  const stack = await startStack({
    web: "production",
    port,
    stateDir,
    isThrowaway: true,
    secrets,
    env: {
      NODE_ENV: "production",
      // A production build with development shortcuts (server/unsafe-shortcuts.ts), each named so start-up allows
      // it: offline billing, and SMTP tests against the loopback mail catcher (the stack's default).
      LYCEUM_UNSAFE_LOCAL_BILLING: "1",
      LYCEUM_UNSAFE_PRIVATE_SMTP: "1",
      LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR: "1",
      LYCEUM_BENCH_PAGES: "1",
      LYCEUM_STAFF_EMAIL: "staff-bench@lyceum.localhost",
      LYCEUM_STAFF_PASSWORD: secrets.staffPassword,
    },
    onUnexpectedExit: (label, code) => log(`${label} exited unexpectedly (${code})`),
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  let exitCode = 0;
  try {
    await waitForHttp(`${baseUrl}/api/health`, 120_000);
    // The scenarios talk to the same database directly for setup (accounts, instances, events).
    Object.assign(process.env, stack.env);
    // The scenarios run pipelines in this process: their per-step log lines would bury the table.
    process.env.LYCEUM_LOG_LEVEL ??= "warn";
    const scenarios: Scenario[] = [
      // First, so "idle" memory is measured before 1 000 SSE streams and 60 provisions have grown the heaps.
      (await import("./scenarios/worker-memory")).workerMemory,
      (await import("./scenarios/ssr-and-memory")).ssrAndMemory,
      (await import("./scenarios/paid-to-running")).paidToRunning,
      (await import("./scenarios/event-latency")).eventLatency,
      (await import("./scenarios/sse-fanout")).sseFanout,
      (await import("./scenarios/pipeline-overhead")).pipelineOverhead,
      (await import("./scenarios/fleet-list")).fleetList,
      (await import("./scenarios/concurrency")).concurrency,
      (await import("./scenarios/backup-throughput")).backupThroughput,
      (await import("./scenarios/provisioning-throughput")).provisioningThroughput,
      ...standalone,
    ];
    const ctx: BenchContext = {
      baseUrl,
      stack,
      runs: isSmoke ? 1 : 3,
      isSmoke,
      staff: { email: "staff-bench@lyceum.localhost", password: secrets.staffPassword },
      log,
    };
    const figures: Figure[] = [];
    for (const scenario of scenarios) {
      if (!isSelected(scenario)) continue;
      log(`${scenario.name}…`);
      figures.push(...(await scenario.run(ctx)));
    }
    report(figures, isSmoke);
  } catch (error) {
    console.error(error);
    exitCode = 1;
  } finally {
    const { closeDb } = await import("@/db");
    await closeDb();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

function report(figures: Figure[], isSmoke: boolean) {
  const machine = writeResults(path.join("bench", "results.json"), figures, { mode: isSmoke ? "smoke" : "full" });
  console.log(`\nLyceum benchmarks (${isSmoke ? "smoke: one short run each, timings not meaningful" : "3 runs each"}) on ${machine.cpus}× ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}\n`);
  console.log(toMarkdown(figures));
  const missed = figures.filter((figure) => figure.pass === false);
  if (missed.length) console.log(`\nMissed goals: ${missed.map((f) => `${f.scenario} — ${f.figure}`).join("; ")}`);
}

void main();
