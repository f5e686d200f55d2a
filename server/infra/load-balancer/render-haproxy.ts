// Renders a LoadBalancerState into HAProxy's files. Pure: the same state gives the same bytes, so an unchanged
// state can be recognised and a reload skipped.
//
// Why a map file: Host → backend is one `use_backend %[…,map(hosts.map)]` rule, a hash lookup per request
// however many instances there are, instead of thousands of ACLs HAProxy would test in order; the map is also
// what the runtime API could change without a reload later. Each serving instance still gets a backend of its
// own (a health check and a server line), which HAProxy handles by the tens of thousands.
import { createHash } from "node:crypto";
import { siteBackendName } from "./load";
import { MAINTENANCE_PAGE, PREPARING_PAGE } from "./pages";
import type { LoadBalancerState, StatsListener } from "./state";
import { PROCESS_HEADER, STATS_URI, STATS_USER } from "./stats-http";

export type RenderOptions = {
  /** Where this configuration's own files (map, crt-list, pages) are, as HAProxy will read them. */
  configDir: string;
  /** Where certificate files are, as HAProxy will read them (content-addressed, shared across configurations). */
  certDir: string;
  /** The runtime API socket; it also hands the listening sockets to the next worker on reload. Null: none. */
  adminSocket: string | null;
};

export type RenderedLoadBalancer = {
  /** The configuration's files by name inside configDir; haproxy.cfg among them. */
  files: Record<string, string>;
  /** Certificate files (chain then key, one PEM file as HAProxy wants it) by name inside certDir. */
  certificates: Record<string, string>;
  /** Human summary: how many sites in each mode, how many certificates. */
  summary: string;
};

export const CONFIG_FILE = "haproxy.cfg";
const HOSTS_MAP = "hosts.map";
const CRT_LIST = "crt-list.txt";
const MAINTENANCE_FILE = "maintenance.html";
const PREPARING_FILE = "preparing.html";
const PREPARING_RESPONSE_FILE = "preparing.http";
const PORTAL_BACKEND = "be_portal";

// Everything interpolated into the config is checked first: a stray space or newline in a hostname would
// otherwise inject HAProxy directives or map entries.
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const CERT_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const ADDRESS = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?):\d{1,5}$/i;
const BIND = /^(\[[0-9a-f:.]+\]|[a-z0-9.*-]*):\d{1,5}$/i;
const INSTANCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PATH = /^\/[\w./-]*$/;
const STATS_PASSWORD = /^[\w.~+/=-]{16,200}$/;

export class InvalidLoadBalancerStateError extends Error {}

function check(value: string, pattern: RegExp, what: string) {
  if (!pattern.test(value)) throw new InvalidLoadBalancerStateError(`${what} is not valid here: ${JSON.stringify(value)}`);
}

function certificateFileName(pem: string): string {
  return `${createHash("sha256").update(pem).digest("hex").slice(0, 32)}.pem`;
}

function pemFile(certificate: { chainPem: string; keyPem: string }) {
  return `${certificate.chainPem.trim()}\n${certificate.keyPem.trim()}\n`;
}


/**
 * Health checks and failover, as measured in tests/load-balancer-app-servers.test.ts: a server is checked every
 * CHECK_INTERVAL_MS on the heartbeat Open edX itself answers, out of rotation after FALL failed checks and back
 * after RISE good ones; a request that cannot connect (a server just killed, not yet marked down) is retried on
 * another server, so visitors see no error while the checks catch up.
 */
export const HEALTH_CHECK = { intervalMs: 1000, fall: 2, rise: 2 } as const;

/** The cookie that keeps a visitor on one server (the LMS keeps some state per process, e.g. a half-done upload). */
export const STICKY_COOKIE = "lyceum_server";

function stickyCookieValue(address: string) {
  return createHash("sha256").update(address).digest("hex").slice(0, 12);
}

function siteBackend(name: string, addresses: string[], preparingResponseFile: string) {
  const { intervalMs, fall, rise } = HEALTH_CHECK;
  const isBalanced = addresses.length > 1;
  return [
    `backend ${name}`,
    "  option httpchk GET /heartbeat",
    // When every server's health check fails, HAProxy's own 503 becomes the 'being prepared' page.
    `  errorfile 503 ${preparingResponseFile}`,
    ...(isBalanced
      ? [
          "  balance roundrobin",
          // Sticky: the first answer sets the cookie naming its server; a server marked down loses its visitors
          // to the others (redispatch), who then stick there.
          `  cookie ${STICKY_COOKIE} insert indirect nocache httponly`,
          // A connection refused (a server that died a moment ago) is tried again on another server, up to 3
          // times; a request already sent is retried only when it is safe to send twice.
          "  option redispatch 1",
          "  retries 3",
          "  retry-on conn-failure empty-response response-timeout",
          "  http-request disable-l7-retry if !METH_GET !METH_HEAD !METH_OPTIONS",
        ]
      : []),
    ...addresses.map(
      (address, index) =>
        // The cookie names the server by its address, not its place in the list: a visitor stays put when another
        // server joins or leaves.
        `  server app${index + 1} ${address} check inter ${intervalMs} fall ${fall} rise ${rise}${isBalanced ? ` cookie ${stickyCookieValue(address)}` : ""}`,
    ),
  ].join("\n");
}

/**
 * HAProxy's own stats page, for the worker (server/infra/load-balancer/stats-http.ts): CSV, the servers' addresses
 * (show-legends: the worker finds a server by its address), the admin form it drains servers with, and the pid of
 * the process that answered (its counters start again at 0 after a reload). Everything behind the password.
 */
function statsFrontend(stats: StatsListener) {
  check(stats.bind, BIND, "the stats bind address");
  if (!STATS_PASSWORD.test(stats.password)) throw new InvalidLoadBalancerStateError("the stats password must be 16 to 200 letters, digits or ._~+/=-");
  return [
    "frontend fe_stats",
    `  bind ${stats.bind}`,
    "  stats enable",
    `  stats uri ${STATS_URI}`,
    `  stats auth ${STATS_USER}:${stats.password}`,
    "  stats admin if TRUE",
    "  stats show-legends",
    `  http-after-response set-header ${PROCESS_HEADER} %pid`,
    "",
  ];
}

export function renderHaproxy(state: LoadBalancerState, options: RenderOptions): RenderedLoadBalancer {
  check(options.configDir, PATH, "the configuration directory");
  check(options.certDir, PATH, "the certificate directory");
  if (options.adminSocket) check(options.adminSocket, PATH, "the admin socket path");
  check(state.httpBind, BIND, "the HTTP bind address");
  if (state.httpsBind) check(state.httpsBind, BIND, "the HTTPS bind address");
  check(state.portalAddress, ADDRESS, "the portal address");
  const at = (dir: string, name: string) => `${dir.replace(/\/$/, "")}/${name}`;

  const hostToBackend = new Map<string, string>();
  const siteBackends: string[] = [];
  const counts = { serving: 0, maintenance: 0, preparing: 0 };
  for (const site of state.sites) {
    check(site.instanceId, INSTANCE_ID, "an instance id");
    let backend: string;
    if (site.mode === "serving") {
      if (!site.backendAddresses.length) throw new InvalidLoadBalancerStateError(`instance ${site.instanceId} is serving but has no backend address`);
      for (const address of site.backendAddresses) check(address, ADDRESS, `a backend address of instance ${site.instanceId}`);
      backend = siteBackendName(site.instanceId);
      siteBackends.push(siteBackend(backend, site.backendAddresses, at(options.configDir, PREPARING_RESPONSE_FILE)));
    } else {
      backend = site.mode === "maintenance" ? "be_maintenance" : "be_preparing";
    }
    counts[site.mode] += 1;
    for (const hostname of site.hostnames) {
      check(hostname, HOSTNAME, `a hostname of instance ${site.instanceId}`);
      if (hostToBackend.has(hostname)) throw new InvalidLoadBalancerStateError(`${hostname} is claimed by two sites`);
      hostToBackend.set(hostname, backend);
    }
  }

  const certificates: Record<string, string> = {};
  const defaultPem = pemFile(state.defaultCertificate);
  const defaultFile = certificateFileName(defaultPem);
  certificates[defaultFile] = defaultPem;
  const crtListLines: string[] = [];
  for (const certificate of state.certificates) {
    if (!certificate.hostnames.length) throw new InvalidLoadBalancerStateError("a certificate has no hostnames");
    for (const name of certificate.hostnames) check(name, CERT_NAME, "a certificate's hostname");
    const pem = pemFile(certificate);
    const file = certificateFileName(pem);
    certificates[file] = pem;
    // SNI filters after the file: HAProxy picks this certificate for those names (wildcards allowed).
    crtListLines.push(`${at(options.certDir, file)} ${certificate.hostnames.join(" ")}`);
  }

  const hostsMap = [...hostToBackend.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, backend]) => `${host} ${backend}`);

  const page = (file: string, retryAfterSeconds: number) =>
    `  http-request return status 503 content-type "text/html; charset=utf-8" file ${at(options.configDir, file)} hdr retry-after ${retryAfterSeconds} hdr cache-control no-store`;

  const config = [
    "# Rendered by Lyceum from its database (server/infra/load-balancer/render-haproxy.ts): edits here are overwritten.",
    "global",
    ...(options.adminSocket ? [`  stats socket ${options.adminSocket} mode 600 level admin expose-fd listeners`] : []),
    "  ssl-default-bind-options ssl-min-ver TLSv1.2",
    // After a reload the previous worker finishes its requests; this bounds how long it may take.
    "  hard-stop-after 5m",
    "",
    "defaults",
    "  mode http",
    "  option forwardfor",
    // On reload the old worker answers the requests on its idle keep-alive connections (with Connection:
    // close) instead of closing them under clients that are about to send one (HAProxy >= 2.4's default).
    "  option idle-close-on-response",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 300s",
    "  timeout http-request 15s",
    "  timeout http-keep-alive 15s",
    "  timeout queue 30s",
    "",
    "frontend fe_sites",
    `  bind ${state.httpBind}`,
    ...(state.httpsBind
      ? [`  bind ${state.httpsBind} ssl crt ${at(options.certDir, defaultFile)} crt-list ${at(options.configDir, CRT_LIST)} alpn h2,http/1.1`]
      : []),
    "  http-request set-header X-Forwarded-Proto https if { ssl_fc }",
    "  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }",
    // ACME HTTP-01 challenges for any name are answered by the portal, which holds the tokens.
    `  use_backend ${PORTAL_BACKEND} if { path_beg /.well-known/acme-challenge/ }`,
    `  use_backend %[req.hdr(host),lower,field(1,:),map(${at(options.configDir, HOSTS_MAP)},${PORTAL_BACKEND})]`,
    `  default_backend ${PORTAL_BACKEND}`,
    "",
    ...(state.stats ? statsFrontend(state.stats) : []),
    `backend ${PORTAL_BACKEND}`,
    `  server portal ${state.portalAddress}`,
    "",
    "backend be_maintenance",
    page(MAINTENANCE_FILE, 3600),
    "",
    "backend be_preparing",
    page(PREPARING_FILE, 30),
    "",
    ...siteBackends.flatMap((backend) => [backend, ""]),
  ].join("\n");

  return {
    files: {
      [CONFIG_FILE]: config,
      [HOSTS_MAP]: hostsMap.length ? `${hostsMap.join("\n")}\n` : "",
      [CRT_LIST]: crtListLines.length ? `${crtListLines.join("\n")}\n` : "",
      [MAINTENANCE_FILE]: MAINTENANCE_PAGE,
      [PREPARING_FILE]: PREPARING_PAGE,
      [PREPARING_RESPONSE_FILE]: rawResponse(503, "Service Unavailable", PREPARING_PAGE, { "retry-after": "30" }),
    },
    certificates,
    summary: `${counts.serving} serving, ${counts.maintenance} in maintenance, ${counts.preparing} being prepared; ${state.certificates.length} certificate(s)`,
  };
}

/** A whole HTTP response, as HAProxy's errorfile wants it (status line, headers, blank line, body). */
function rawResponse(status: number, reason: string, html: string, headers: Record<string, string>) {
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    "content-type: text/html; charset=utf-8",
    "cache-control: no-store",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(html)}`,
    "connection: close",
  ];
  return `${lines.join("\r\n")}\r\n\r\n${html}`;
}
