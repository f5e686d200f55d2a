// Stands in for an Open edX VM on this machine: serves the instance's themed site and its static pages,
// GET /heartbeat (which reports the configuration version in use), a long answer (GET /slow?ms=) and, like a
// production image must, Prometheus metrics at GET /metrics (listed per instance by /api/prometheus/targets). SIGHUP reloads the
// configuration file.
// Plain JavaScript with no dependencies, so it starts in milliseconds with `node`.
// Usage: node site-server.mjs <site.json> <deployment id>
import { readFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { bootLocally } from "./boot-phases.mjs";

// The server key names this one of the deployment's servers (the deployment id alone for its first server).
const [configPath, deploymentId, serverKey = deploymentId] = process.argv.slice(2);
let config = JSON.parse(readFileSync(configPath, "utf8"));

process.on("SIGHUP", () => {
  try {
    config = JSON.parse(readFileSync(configPath, "utf8"));
    console.log(`reloaded configuration ${config.configVersion ?? "(unversioned)"}`);
  } catch (error) {
    console.error(`kept the previous configuration: ${error.message}`);
  }
});

const escapeHtml = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const colour = (value, fallback) => (/^#[0-9a-f]{6}$/i.test(value ?? "") ? value : fallback);

function layout(title, body) {
  const theme = config.theme ?? {};
  const name = escapeHtml(config.instanceName);
  const pages = config.pages ?? [];
  const nav = pages.map((page) => `<a href="${escapeHtml(page.path)}">${escapeHtml(page.title)}</a>`).join(" ");
  const logo = theme.logoUrl ? `<img class="logo" src="${escapeHtml(theme.logoUrl)}" alt="${name} logo">` : "";
  const footerLogo = theme.footerLogoUrl ? `<img class="logo" src="${escapeHtml(theme.footerLogoUrl)}" alt="">` : "";
  const favicon = theme.faviconUrl ? `<link rel="icon" href="${escapeHtml(theme.faviconUrl)}">` : "";
  const privacy = config.privacyPolicyUrl ? ` · <a href="${escapeHtml(config.privacyPolicyUrl)}">Privacy policy</a>` : "";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">${favicon}
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1f2937; }
  header.site-header { background: ${colour(theme.headerBackground, "#0f766e")}; color: #fff; padding: 1rem 2rem; display: flex; align-items: center; gap: 1rem; }
  header.site-header h1 { margin: 0; font-size: 1.5rem; }
  header.site-header nav a { color: #fff; margin-left: 1rem; }
  .logo { max-height: 2.5rem; }
  a { color: ${colour(theme.linkColor, "#115e59")}; }
  .button { display: inline-block; background: ${colour(theme.mainColor, "#0f766e")}; color: #fff; padding: .5rem 1rem; border-radius: .35rem; text-decoration: none; }
  main { padding: 2rem; max-width: 60rem; }
  footer.site-footer { background: ${colour(theme.footerBackground, "#1f2937")}; color: #fff; padding: 1rem 2rem; font-size: .875rem; }
  footer.site-footer a { color: #fff; }
</style></head>
<body>
<header class="site-header">${logo}<h1>${name}</h1><nav>${nav}</nav></header>
<main>${body}</main>
<footer class="site-footer">${footerLogo} ${name}${config.contactEmail ? ` · <a href="mailto:${escapeHtml(config.contactEmail)}">${escapeHtml(config.contactEmail)}</a>` : ""}${privacy}<br><small>Served by deployment ${escapeHtml(deploymentId)}</small></footer>
</body></html>`;
}

function homePage() {
  const name = escapeHtml(config.instanceName);
  const hero = config.theme?.heroCoverUrl ? `<img src="${escapeHtml(config.theme.heroCoverUrl)}" alt="" style="max-width:100%">` : "";
  return layout(
    config.instanceName,
    `${hero}<p>Welcome to ${name}, an Open edX learning site hosted by Lyceum.</p>
<p>${escapeHtml(config.description ?? "")}</p>
<p><a class="button" href="/courses">Explore courses</a></p>
<p>Studio: <code>${escapeHtml(config.hostnames?.studio ?? "")}</code></p>`,
  );
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
  // Which of the deployment's servers answered: how tests see the load balancer spread and stick.
  res.setHeader("x-lyceum-server", serverKey);
  const path = (req.url ?? "/").split("?")[0];
  const known = ["/", "/index.html", "/heartbeat", "/metrics"].includes(path) ? path : "other";
  requestsByPath.set(known, (requestsByPath.get(known) ?? 0) + 1);
  if (path === "/metrics") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(metricsText());
    return;
  }
  if (path === "/heartbeat") {
    // Like a VM whose Open edX is not up yet: the address answers, the health check does not pass.
    if (!isBooted && !req.headers["x-boot-self-check"]) {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "booting", deploymentId }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", deploymentId, server: serverKey, configVersion: config.configVersion ?? null, maintenance: isInMaintenance() }));
    return;
  }
  if (path === "/slow") {
    // A long request (a grade report download, an upload): the answer starts at once and ends ?ms= later, so a server
    // taken away meanwhile cuts it visibly, past where the load balancer could retry it elsewhere.
    const ms = Math.min(Math.max(Number(new URL(req.url, "http://site").searchParams.get("ms")) || 0, 0), 120_000);
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("started\n");
    const timer = setTimeout(() => res.end(`finished after ${ms} ms\n`), ms);
    res.on("close", () => clearTimeout(timer));
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
  // The pages' HTML was rendered from Markdown and sanitised by the portal (server/branding/markdown.ts).
  const page = (config.pages ?? []).find((candidate) => candidate.path === path);
  if (page) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "script-src 'none'" });
    res.end(layout(`${page.title} · ${config.instanceName}`, `<h2>${escapeHtml(page.title)}</h2>${page.html}`));
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("Not found");
});

let isBooted = false;

server.listen(config.port, config.host ?? "127.0.0.1", () => {
  console.log(`site for ${config.instanceName} listening on ${config.host ?? "127.0.0.1"}:${config.port}`);
  const checkHealth = async () => {
    try {
      const response = await fetch(`http://${config.host ?? "127.0.0.1"}:${config.port}/heartbeat`, { headers: { "x-boot-self-check": "1" } });
      return response.ok;
    } catch {
      return false;
    }
  };
  bootLocally({ config, markerPath: join(dirname(configPath), "booted"), checkHealth })
    .then((isUp) => {
      isBooted = isUp !== false;
    })
    .catch((error) => console.error(`boot failed: ${error.message}`));
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
