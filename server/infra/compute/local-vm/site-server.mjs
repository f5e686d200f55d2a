// Stands in for an Open edX VM on this machine: serves the instance's site, GET /heartbeat and, like a
// production image must, Prometheus metrics at GET /metrics (listed per instance by /api/prometheus/targets).
// Plain JavaScript with no dependencies, so it starts in milliseconds with `node`.
// Usage: node site-server.mjs <site.json> <deployment id>
import { readFileSync } from "node:fs";
import http from "node:http";

const [configPath, deploymentId] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, "utf8"));

const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function homePage() {
  const name = escapeHtml(config.instanceName);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1f2937; }
  header { background: #0f766e; color: #fff; padding: 1rem 2rem; }
  main { padding: 2rem; max-width: 60rem; }
  footer { padding: 1rem 2rem; color: #6b7280; font-size: .875rem; }
</style></head>
<body>
<header><h1>${name}</h1></header>
<main>
  <p>Welcome to ${name}, an Open edX learning site hosted by Lyceum.</p>
  <p>Studio: <code>${escapeHtml(config.hostnames?.studio ?? "")}</code></p>
</main>
<footer>Served by deployment ${escapeHtml(deploymentId)}</footer>
</body></html>`;
}

const startedAtSeconds = Date.now() / 1000;
const requestsByPath = new Map();

function metricsText() {
  const lines = [
    "# HELP lyceum_site_up 1 while this instance's application server is serving.",
    "# TYPE lyceum_site_up gauge",
    "lyceum_site_up 1",
    "# HELP lyceum_site_requests_total Requests this application server answered, by path.",
    "# TYPE lyceum_site_requests_total counter",
    ...[...requestsByPath].map(([path, count]) => `lyceum_site_requests_total{path="${path}"} ${count}`),
    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
    "# TYPE process_start_time_seconds gauge",
    `process_start_time_seconds ${startedAtSeconds}`,
  ];
  return `${lines.join("\n")}\n`;
}

// Standing in for the load balancer too: while the front-door file says so, visitors get the maintenance
// page. Read on every request (a few hundred bytes), so a change takes effect at once and survives restarts.
function isInMaintenance() {
  if (!config.frontDoorFile) return false;
  try {
    return JSON.parse(readFileSync(config.frontDoorFile, "utf8")).maintenance === true;
  } catch {
    return false;
  }
}

function maintenancePage() {
  const name = escapeHtml(config.instanceName);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${name} is temporarily unavailable</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; font-family: system-ui, sans-serif; color: #1f2937; } main { padding: 4rem 2rem; max-width: 40rem; margin: 0 auto; }</style>
</head>
<body><main>
<h1>${name} is temporarily unavailable</h1>
<p>This site is paused for maintenance. Its courses and data are safe; please check back later.</p>
</main></body></html>`;
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  const known = ["/", "/index.html", "/heartbeat", "/metrics"].includes(path) ? path : "other";
  requestsByPath.set(known, (requestsByPath.get(known) ?? 0) + 1);
  if (path === "/metrics") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(metricsText());
    return;
  }
  if (path === "/heartbeat") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", deploymentId, maintenance: isInMaintenance() }));
    return;
  }
  if (isInMaintenance()) {
    res.writeHead(503, { "content-type": "text/html; charset=utf-8", "retry-after": "3600" });
    res.end(maintenancePage());
    return;
  }
  if (path === "/" || path === "/index.html") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(homePage());
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("Not found");
});

server.listen(config.port, config.host ?? "127.0.0.1", () => {
  console.log(`site for ${config.instanceName} listening on ${config.host ?? "127.0.0.1"}:${config.port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
