// The worker's own Prometheus endpoint: a worker has no web server, so it serves /metrics on a port of its
// own (LYCEUM_WORKER_METRICS_HOST/PORT) and records the address, which /api/prometheus/workers lists.
import http from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import { metrics } from "@/server/observability/metrics";
import { checkScrapeAuthorization } from "@/server/observability/scrape-auth";

export type MetricsServer = { address: string; close(): Promise<void> };

export async function startMetricsServer(options: { host: string; port: number; token: string }): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    if ((request.url ?? "/").split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found: metrics are at /metrics\n");
      return;
    }
    const decision = checkScrapeAuthorization(request.headers.authorization, options.token);
    if (!decision.ok) {
      response.writeHead(decision.status, { "content-type": "text/plain" }).end(`${decision.message}\n`);
      return;
    }
    const { registry } = metrics();
    registry
      .metrics()
      .then((body) => response.writeHead(200, { "content-type": registry.contentType }).end(body))
      .catch((error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // Listening on every interface: others reach this process by its host name.
  const host = options.host === "0.0.0.0" || options.host === "::" ? hostname() : options.host;
  return {
    address: `${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
