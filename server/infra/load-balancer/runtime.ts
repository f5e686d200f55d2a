// The HAProxy processes serving visitors now, as the worker acts on them between reloads: the local one, or every
// node of a Consul-fed cluster. Reading the load (the autoscaler) and draining a server before it goes (scale-in,
// replacement) work the same over either; only how each process is reached differs.
import { combineLoad, siteBackendName, siteLoadsOf, type HaproxyStatsSource, type LoadReader, type LoadReading, type StatRow } from "./load";

type DrainResult = {
  /** True when no process had a session on the servers any more; false when the time allowed ran out first. */
  isDrained: boolean;
  waitedMs: number;
  /** Sessions (current and queued) still on the servers when the wait ended, over every process. */
  sessionsLeft: number;
  /** One line for the step's result. */
  summary: string;
};

const POLL_MS = 250;

export class HaproxyFleet implements LoadReader {
  constructor(readonly sources: HaproxyStatsSource[]) {
    if (!sources.length) throw new Error("a HAProxy fleet needs at least one process to read");
  }

  /** Every site's load summed over the processes; throws naming the one that did not answer (the sample is lost). */
  async readLoad(signal?: AbortSignal): Promise<LoadReading> {
    const readings = await Promise.all(
      this.sources.map(async (source) => {
        const snapshot = await source.readStats(signal);
        return { label: source.label, processId: snapshot.processId, sites: siteLoadsOf(snapshot.rows) };
      }),
    );
    return combineLoad(readings);
  }

  /**
   * Puts the instance's servers at these addresses into MAINT on every process, so no new request reaches them
   * (a sticky visitor's too: HAProxy sends a cookie naming a server in maintenance elsewhere), then waits until no
   * process has a session on them, or `timeoutMs` passed. A process that reloads meanwhile starts with them in service
   * again: they are put back into MAINT there, and since the sessions the old process still serves cannot be seen,
   * the wait then runs to its end.
   */
  async drainServers(instanceId: string, addresses: string[], options: { timeoutMs: number; signal?: AbortSignal; pollMs?: number }): Promise<DrainResult> {
    const backend = siteBackendName(instanceId);
    const startedAt = Date.now();
    const pollMs = options.pollMs ?? POLL_MS;
    const drainedIn = new Map<HaproxyStatsSource, number>();
    let hasReloaded = false;
    let sessionsLeft = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      sessionsLeft = 0;
      for (const source of this.sources) {
        const snapshot = await source.readStats(options.signal);
        const servers = snapshot.rows.filter((row) => row.pxname === backend && isServerRow(row) && addresses.includes(row.addr ?? ""));
        const drainedProcess = drainedIn.get(source);
        if (drainedProcess !== snapshot.processId) {
          if (drainedProcess !== undefined) hasReloaded = true;
          for (const server of servers) if (!(server.status ?? "").startsWith("MAINT")) await source.setServerState(backend, server.svname!, "maint", options.signal);
          drainedIn.set(source, snapshot.processId);
        }
        sessionsLeft += servers.reduce((sum, server) => sum + Number(server.scur || 0) + Number(server.qcur || 0), 0);
      }
      const waitedMs = Date.now() - startedAt;
      const where = `${addresses.join(", ")} on ${this.sources.length} HAProxy process(es)`;
      if (sessionsLeft === 0 && !hasReloaded) {
        return { isDrained: true, waitedMs, sessionsLeft, summary: `drained ${where} in ${(waitedMs / 1000).toFixed(1)} s` };
      }
      if (waitedMs >= options.timeoutMs) {
        const why = hasReloaded ? "a reload meanwhile hid the sessions its old process still serves" : `${sessionsLeft} session(s) still open`;
        return { isDrained: false, waitedMs, sessionsLeft, summary: `out of service ${where}; stopped waiting after ${Math.round(waitedMs / 1000)} s (${why})` };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, options.timeoutMs - waitedMs)));
    }
  }
}

function isServerRow(row: StatRow) {
  return row.svname !== "BACKEND" && row.svname !== "FRONTEND";
}
