// A HAProxy node's stats listener over HTTP (rendered into every node's configuration when HAPROXY_STATS_BIND is set,
// see render-haproxy.ts): `<uri>;csv;norefresh` is `show stat` as CSV, the `x-haproxy-pid` header names the process
// that answered, and the admin form (a POST of b=<backend>&action=maint&s=<server>, answered by a 303 whose
// `st=DONE` says it was applied) changes a server's state at runtime. HAProxy's own page, so nothing runs on the node
// but HAProxy.
import { parseStatCsv, type HaproxyStatsSource, type StatsSnapshot } from "./load";

/** The one user the rendered stats listener knows; its password is HAPROXY_STATS_PASSWORD. */
export const STATS_USER = "lyceum";
/** The path the rendered stats listener serves (and the header naming the process that answered). */
export const STATS_URI = "/stats";
export const PROCESS_HEADER = "x-haproxy-pid";

const REQUEST_TIMEOUT_MS = 5000;

export class HaproxyStatsEndpoint implements HaproxyStatsSource {
  readonly label: string;
  private readonly url: URL;
  private readonly authorization: string;

  /** `url`: the node's stats URL, e.g. http://10.0.0.2:8404/stats. */
  constructor(url: string, password: string, private readonly fetchImpl: typeof fetch = fetch) {
    this.url = new URL(url);
    this.label = `${this.url.origin}${this.url.pathname}`;
    this.authorization = `Basic ${Buffer.from(`${STATS_USER}:${password}`).toString("base64")}`;
  }

  async readStats(signal?: AbortSignal): Promise<StatsSnapshot> {
    const response = await this.request(new URL(`${this.url.pathname};csv;norefresh`, this.url), { method: "GET" }, signal);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`HAProxy stats at ${this.label}: HTTP ${response.status}${hintFor(response.status)} ${text.slice(0, 120).trim()}`);
    const processId = Number(response.headers.get(PROCESS_HEADER));
    if (!processId) throw new Error(`HAProxy stats at ${this.label} named no process (no ${PROCESS_HEADER} header): is its configuration Lyceum's?`);
    return { processId, rows: parseStatCsv(text) };
  }

  async setServerState(backend: string, server: string, state: "maint" | "ready", signal?: AbortSignal): Promise<void> {
    const body = new URLSearchParams({ b: backend, action: state, s: server });
    const response = await this.request(
      this.url,
      { method: "POST", body: body.toString(), headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" },
      signal,
    );
    await response.body?.cancel();
    const outcome = /;st=([A-Z]+)/.exec(response.headers.get("location") ?? "")?.[1];
    if (response.status !== 303 || outcome !== "DONE") {
      const reason = outcome ? ADMIN_OUTCOMES[outcome] ?? outcome : `HTTP ${response.status}${hintFor(response.status)}`;
      throw new Error(`HAProxy at ${this.label} did not put ${backend}/${server} in ${state.toUpperCase()}: ${reason}`);
    }
  }

  private async request(url: URL, init: RequestInit & { headers?: Record<string, string> }, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      return await this.fetchImpl(url, {
        ...init,
        // A connection of its own each time: one kept alive across a reload would be answered by the old process.
        headers: { ...init.headers, authorization: this.authorization, connection: "close" },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new Error(`HAProxy stats at ${this.label}: ${(error as Error).message}`);
    }
  }
}

// What HAProxy's admin form reports in the redirect (st=…), as its stats page words it.
const ADMIN_OUTCOMES: Record<string, string> = {
  PART: "only part of the action was applied",
  NONE: "nothing was changed (no such server?)",
  ERRP: "the request was refused",
  EXCD: "the request was too large",
  DENY: "admin actions are not allowed on this listener",
};

function hintFor(status: number) {
  return status === 401 ? " (HAPROXY_STATS_PASSWORD differs from the one the node's configuration was rendered with)" : "";
}
