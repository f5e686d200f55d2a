// The local site's boot, reported like a VM's: the same phases, posted to the same portal route with the
// deployment's own token (config.bootReport: url and token, from the deployment's sealed configuration). A local
// process has no Docker or images to set up, so those phases only take `bootPhaseMs` each (0 by default; the
// end-to-end suite slows them down to watch them live); `health` checks its own /heartbeat. A report that fails
// is logged and the boot goes on: reporting never holds a server back. Reported once per deployment, like
// cloud-init's runcmd: a restarted process finds the marker file and is up at once.
import { existsSync, writeFileSync } from "node:fs";
import { runReleaseMigrations } from "./release-migrations.mjs";

/** The phases in order (db/schema/boot-phases.ts). */
const BOOT_PHASES = ["cloud-init", "docker", "images", "launch", "migrations", "health"];

/**
 * Runs the boot: each phase reported started, then succeeded. `checkHealth` answers whether /heartbeat would
 * pass. Resolves when the site may answer /heartbeat; with false when it must not (its migrations failed).
 */
export async function bootLocally({ config, markerPath, checkHealth }) {
  if (existsSync(markerPath)) return;
  const delayMs = Number(config.bootPhaseMs ?? 0);
  const reports = [];
  const report = (body) => {
    const sent = postReport(config.bootReport, body);
    reports.push(sent);
    return sent;
  };
  for (const phase of BOOT_PHASES) {
    const startedAt = new Date().toISOString();
    report({ phase, status: "started", startedAt });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (phase === "migrations") {
      // A release's migrations that fail leave the server unhealthy, as a VM whose `do init` failed: never in service.
      try {
        console.log(await runReleaseMigrations(config));
      } catch (error) {
        console.error(`migrations failed: ${error.message}`);
        report({ phase, status: "failed", startedAt, finishedAt: new Date().toISOString(), outputTail: `${error.message}\n` });
        await Promise.allSettled(reports);
        return false;
      }
    }
    if (phase === "health" && !(await checkHealth())) {
      report({ phase, status: "failed", startedAt, finishedAt: new Date().toISOString(), outputTail: "GET /heartbeat did not answer 200\n" });
      return;
    }
    report({ phase, status: "succeeded", startedAt, finishedAt: new Date().toISOString() });
  }
  await Promise.allSettled(reports);
  writeFileSync(markerPath, `${new Date().toISOString()}\n`);
}

// One at a time, in order: the portal records each phase's start before its end.
let queue = Promise.resolve();

function postReport(target, body) {
  if (!target?.url || !target?.token) return Promise.resolve();
  queue = queue.then(async () => {
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) console.error(`boot report ${body.phase} ${body.status}: HTTP ${response.status}`);
    } catch (error) {
      console.error(`boot report ${body.phase} ${body.status}: ${error.message}`);
    }
  });
  return queue;
}
