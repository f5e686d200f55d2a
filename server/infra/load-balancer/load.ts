// The load each site's backend carries, as the load balancer measures it: what the autoscaler reads.

/** One site's backend in one load balancer process. */
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
   * between two readings of the same process.
   */
  processId: number;
  /** By instance id; instances the load balancer does not serve are absent. */
  sites: Map<string, SiteLoad>;
};

/** A load balancer whose load can be read (the local HAProxy; the Consul-fed cluster is read by its own monitoring). */
export interface LoadReader {
  readLoad(): Promise<LoadReading>;
}

const SITE_BACKEND = /^be_site_([0-9a-f-]{36})$/;

/**
 * Parses the runtime API's `show info` and `show stat` (CSV, header line starting "# "). The BACKEND row of each
 * site's backend carries its request total (`req_tot`) and average response time (`rtime`); its servers' rows say
 * which are UP.
 */
export function parseHaproxyLoad(info: string, stat: string): LoadReading {
  const processId = Number(/^Pid:\s*(\d+)/m.exec(info)?.[1]);
  if (!processId) throw new Error(`HAProxy's "show info" named no Pid: ${info.slice(0, 200)}`);
  const [header, ...lines] = stat.replace(/^# /, "").trim().split("\n");
  const columns = (header ?? "").split(",");
  const sites = new Map<string, SiteLoad>();
  const siteOf = (instanceId: string) => {
    let site = sites.get(instanceId);
    if (!site) sites.set(instanceId, (site = { requestsTotal: 0, responseTimeMs: 0, serversUp: 0 }));
    return site;
  };
  for (const line of lines) {
    const row = Object.fromEntries(line.split(",").map((value, index) => [columns[index], value])) as Record<string, string | undefined>;
    const instanceId = SITE_BACKEND.exec(row.pxname ?? "")?.[1];
    if (!instanceId || row.svname === "FRONTEND") continue;
    const site = siteOf(instanceId);
    if (row.svname === "BACKEND") {
      site.requestsTotal = Number(row.req_tot || 0);
      site.responseTimeMs = Number(row.rtime || 0);
    } else if ((row.status ?? "").startsWith("UP")) {
      site.serversUp += 1;
    }
  }
  return { processId, sites };
}
