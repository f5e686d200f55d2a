// 10. Cold start, as a newcomer meets the project: a fresh clone (`git clone` of this checkout's HEAD) with its
// packages installed, then `npm run dev` timed until it prints the portal's URL (embedded Postgres initialised,
// migrations, staff account, every process up, /api/health answering); beside it, a bare Next.js app's
// `next dev` until its page answers. Then `next build` in the fresh clone against the bare app's build.
// `npm install` itself is not timed: the clone gets this checkout's installed packages as hard links (what
// `npm ci` of the same lock file leaves, in a second and without the network). The smoke run times `npm run dev`
// once and skips the builds (a portal build takes minutes); the full run builds once, in its first run.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/server/net/free-port";
import type { Scenario } from "../lib/context";
import { medianOf, type Figure } from "../lib/report";

const DEV_GOAL_MS = 15_000;
const BUILD_GOAL_RATIO = 2;

/**
 * What a newcomer's shell holds: none of the variables the benchmark's own stack set (its database, secrets,
 * state directory), which would make `npm run dev` skip what a fresh clone has to do.
 */
function newcomerEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TERM", "TMPDIR", "npm_config_cache", "NEXT_TELEMETRY_DISABLED"]);
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const key of Object.keys(env)) if (!keep.has(key)) delete env[key];
  return env;
}

/**
 * The bare app of bench/lib/minimal-app.ts (one dynamic page), outside this checkout: inside it, Next takes the
 * checkout for its workspace root and runs the portal's instrumentation, which is not bare.
 */
function bareApp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lyceum-bare-app-"));
  mkdirSync(path.join(dir, "app"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, name: "lyceum-bench-bare-app" }));
  writeFileSync(path.join(dir, "next.config.mjs"), "export default {};\n");
  writeFileSync(path.join(dir, "app", "layout.jsx"), 'export default function Layout({ children }) { return <html lang="en"><body>{children}</body></html>; }\n');
  writeFileSync(
    path.join(dir, "app", "page.jsx"),
    'import { connection } from "next/server";\nexport default async function Page() { await connection(); return <p>{new Date().toISOString()}</p>; }\n',
  );
  execFileSync("cp", ["-al", path.join(process.cwd(), "node_modules"), path.join(dir, "node_modules")]);
  return dir;
}

function freshClone(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lyceum-clone-"));
  execFileSync("git", ["clone", "--quiet", "--no-hardlinks", process.cwd(), dir], { stdio: "ignore" });
  execFileSync("cp", ["-al", path.join(process.cwd(), "node_modules"), path.join(dir, "node_modules")]);
  return dir;
}

/** Milliseconds from spawning `command` until `isReady` says yes; then its process group gets SIGINT, as from Ctrl-C. */
async function timeUntilReady(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; isReady: (output: string) => boolean | Promise<boolean>; timeoutMs: number }): Promise<number> {
  const started = performance.now();
  // Its own process group, so the stop reaches everything it started even if it does not stop them itself.
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited (${child.exitCode}) before it was ready:\n${output.slice(-2000)}`);
      if (await options.isReady(output)) return performance.now() - started;
      if (performance.now() - started > options.timeoutMs) throw new Error(`${command} ${args.join(" ")} not ready within ${options.timeoutMs / 1000} s:\n${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    if (child.exitCode === null) {
      process.kill(-child.pid!, "SIGINT");
      const killer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 30_000);
      await exited;
      clearTimeout(killer);
    }
  }
}

async function answers(url: string) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(10_000) })).ok;
  } catch {
    return false;
  }
}

function timeBuild(cwd: string): number {
  const started = performance.now();
  execFileSync(process.execPath, [path.join(cwd, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd, stdio: "ignore", env: newcomerEnv() });
  return performance.now() - started;
}

export const coldStart: Scenario = {
  name: "10. cold start",
  needsStack: false,
  async run(ctx) {
    const dev: number[] = [];
    const bareDev: number[] = [];
    const build: number[] = [];
    const bareBuild: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const clone = freshClone();
      const bare = bareApp();
      try {
        const port = await freePort();
        dev.push(
          await timeUntilReady("npm", ["run", "dev"], {
            cwd: clone,
            env: { ...newcomerEnv(), PORT: String(port) },
            isReady: (output) => output.includes("Lyceum is running:"),
            timeoutMs: 180_000,
          }),
        );
        const barePort = await freePort();
        bareDev.push(
          await timeUntilReady(process.execPath, [path.join(bare, "node_modules", "next", "dist", "bin", "next"), "dev", "--port", String(barePort)], {
            cwd: bare,
            env: newcomerEnv(),
            isReady: () => answers(`http://127.0.0.1:${barePort}/`),
            timeoutMs: 120_000,
          }),
        );
        // One build each, in the first run: a portal build takes minutes, three would take most of the full bench's time.
        if (!ctx.isSmoke && run === 0) {
          build.push(timeBuild(clone));
          rmSync(path.join(bare, ".next"), { recursive: true, force: true });
          bareBuild.push(timeBuild(bare));
        }
      } finally {
        rmSync(clone, { recursive: true, force: true });
        rmSync(bare, { recursive: true, force: true });
      }
      ctx.log(`run ${run + 1}: npm run dev ${(dev.at(-1)! / 1000).toFixed(1)} s (bare next dev ${(bareDev.at(-1)! / 1000).toFixed(1)} s)${build.length ? `, next build ${(build.at(-1)! / 1000).toFixed(1)} s (bare ${(bareBuild.at(-1)! / 1000).toFixed(1)} s)` : ""}`);
    }
    const figures: Figure[] = [
      {
        scenario: this.name,
        figure: "`npm run dev` on a fresh clone: URL printed",
        unit: "ms",
        runs: dev,
        baseline: { label: "bare Next app, `next dev` until its page answers", runs: bareDev },
        goal: `≤ ${DEV_GOAL_MS} ms`,
        pass: medianOf(dev) <= DEV_GOAL_MS,
      },
    ];
    if (build.length) {
      figures.push({
        scenario: this.name,
        figure: "`next build` on a fresh clone",
        unit: "ms",
        runs: build,
        baseline: { label: "bare Next app, `next build`", runs: bareBuild },
        goal: `≤ ${BUILD_GOAL_RATIO}× the bare app`,
        pass: medianOf(build) <= BUILD_GOAL_RATIO * medianOf(bareBuild),
      });
    }
    return figures;
  },
};
