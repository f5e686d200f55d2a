// The load each site's backend carries, as the load balancer measures it (what the autoscaler reads), and the HAProxy
// processes it is read from: the local one through its runtime API socket, the nodes of a Consul-fed cluster through
// the stats listener every node serves over HTTP (server/infra/load-balancer/stats-http.ts).

/** One site's backend, in one load balancer process or summed over the nodes of a cluster. */
export type SiteLoad = {
  /** HTTP requests the backend has answered since this load balancer process started. */
  requestsTotal: number;
  /** Average response time over the backend's last 1024 requests (HAProxy's `rtime`), in ms. */
  responseTimeMs: number;
  /** Servers its health checks count as up. */
  serversUp: number;
};

export type LoadReading = {
  /**
   * Which process's counters these are: they start again at 0 in a new one (a reload), so a rate is only measured
   * between two readings of the same process. For a cluster, one number for the set of processes of all its nodes:
   * a reload on any node makes it another.
   */
  processId: number;
  /** By instance id; instances the load balancer does not serve are absent. */
  sites: Map<string, SiteLoad>;
};

/** A load balancer whose load can be read. */
export interface LoadReader {
  readLoad(): Promise<LoadReading>;
}

/** One row of HAProxy's `show stat` CSV, by column name. */
export type StatRow = Record<string, string | undefined>;

/** What one HAProxy process reports: its pid (counters and runtime states belong to it) and its `show stat` rows. */
export type StatsSnapshot = { processId: number; rows: StatRow[] };

/**
 * One HAProxy process serving visitors now, whose statistics can be read and whose servers can be put into
 * maintenance without a reload: the runtime API locally, the stats listener's admin form on a cluster node.
 */
export interface HaproxyStatsSource {
  /** Names it in messages (the socket's path, the stats URL without credentials). */
  readonly label: string;
  readStats(signal?: AbortSignal): Promise<StatsSnapshot>;
  /** MAINT: no new request goes to the server, the ones it is answering finish; READY puts it back. */
  setServerState(backend: string, server: string, state: "maint" | "ready", signal?: AbortSignal): Promise<void>;
}

const SITE_BACKEND = /^be_site_([0-9a-f-]{36})$/;

/** The backend HAProxy balances an instance's servers in (the renderer's name for it). */
export function siteBackendName(instanceId: string) {
  return `be_site_${instanceId}`;
}

/** `show stat` CSV (a header line starting "# ", then one line per frontend, backend and server) as rows. */
export function parseStatCsv(stat: string): StatRow[] {
  const [header, ...lines] = stat.replace(/^# /, "").trim().split("\n");
  const columns = (header ?? "").split(",");
  return lines.filter((line) => line.trim()).map((line) => Object.fromEntries(line.split(",").map((value, index) => [columns[index], value])) as StatRow);
}

/** The pid `show info` names. */
export function processIdFromInfo(info: string): number {
  const processId = Number(/^Pid:\s*(\d+)/m.exec(info)?.[1]);
  if (!processId) throw new Error(`HAProxy's "show info" named no Pid: ${info.slice(0, 200)}`);
  return processId;
}

/**
 * The BACKEND row of each site's backend carries its request total (`req_tot`) and average response time (`rtime`);
 * its servers' rows say which are UP.
 */
export function siteLoadsOf(rows: StatRow[]): Map<string, SiteLoad> {
  const sites = new Map<string, SiteLoad>();
  for (const row of rows) {
    const instanceId = SITE_BACKEND.exec(row.pxname ?? "")?.[1];
    if (!instanceId || row.svname === "FRONTEND") continue;
    let site = sites.get(instanceId);
    if (!site) sites.set(instanceId, (site = { requestsTotal: 0, responseTimeMs: 0, serversUp: 0 }));
    if (row.svname === "BACKEND") {
      site.requestsTotal = Number(row.req_tot || 0);
      site.responseTimeMs = Number(row.rtime || 0);
    } else if ((row.status ?? "").startsWith("UP")) {
      site.serversUp += 1;
    }
  }
  return sites;
}

/** Parses the runtime API's `show info` and `show stat` of one process. */
export function parseHaproxyLoad(info: string, stat: string): LoadReading {
  return { processId: processIdFromInfo(info), sites: siteLoadsOf(parseStatCsv(stat)) };
}

/**
 * The load over several HAProxy nodes that share the traffic: requests add up; the response time is the average
 * of the nodes' weighted by their requests; a server counts as up when some node's checks see it up (each node
 * checks for itself, and they agree but for the seconds a change takes to reach all of them).
 */
export function combineLoad(readings: { label: string; processId: number; sites: Map<string, SiteLoad> }[]): LoadReading {
  if (readings.length === 1) return { processId: readings[0]!.processId, sites: readings[0]!.sites };
  const sites = new Map<string, SiteLoad>();
  for (const reading of readings) {
    for (const [instanceId, load] of reading.sites) {
      const sum = sites.get(instanceId) ?? { requestsTotal: 0, responseTimeMs: 0, serversUp: 0 };
      const requests = sum.requestsTotal + load.requestsTotal;
      sites.set(instanceId, {
        requestsTotal: requests,
        responseTimeMs: requests > 0 ? Math.round((sum.responseTimeMs * sum.requestsTotal + load.responseTimeMs * load.requestsTotal) / requests) : Math.max(sum.responseTimeMs, load.responseTimeMs),
        serversUp: Math.max(sum.serversUp, load.serversUp),
      });
    }
  }
  return { processId: processSetId(readings.map((reading) => `${reading.label} ${reading.processId}`)), sites };
}

/** A positive 31-bit number for a set of processes (FNV-1a of their sorted names): what autoscale_states keeps. */
function processSetId(processes: string[]): number {
  let hash = 0x811c9dc5;
  for (const char of [...processes].sort().join("\n")) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash & 0x7fffffff) || 1;
}
