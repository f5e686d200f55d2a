// Times every HTTP request of the web process and logs it, from Node's own HTTP diagnostics channels, so
// no route has to be wrapped. Also gives each request an id (the caller's `x-request-id`, or a new one)
// that handlers read from the request headers and that the response carries back.
import { randomUUID } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import { routeLabel } from "./http-route";
import { logger } from "./logger";
import { metrics } from "./metrics";

type ServerMessage = { request: IncomingMessage; response: ServerResponse };

const REQUEST_ID = /^[A-Za-z0-9._-]{8,80}$/;
const QUIET_ROUTES = new Set(["/api/health", "/api/ready", "/api/metrics", "/_next/static", "/_next/image"]);
const startedAt = new WeakMap<IncomingMessage, bigint>();
const globalForHttp = globalThis as unknown as { __lyceumHttpObserved?: boolean };

export function observeHttpRequests(): void {
  if (globalForHttp.__lyceumHttpObserved) return;
  globalForHttp.__lyceumHttpObserved = true;

  diagnosticsChannel.subscribe("http.server.request.start", (message) => {
    const { request, response } = message as ServerMessage;
    startedAt.set(request, process.hrtime.bigint());
    const incoming = request.headers["x-request-id"];
    const requestId = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    request.headers["x-request-id"] = requestId;
    if (!response.headersSent) response.setHeader("x-request-id", requestId);
  });

  diagnosticsChannel.subscribe("http.server.response.finish", (message) => {
    const { request, response } = message as ServerMessage;
    const start = startedAt.get(request);
    if (start === undefined) return;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const pathname = (request.url ?? "/").split("?")[0] ?? "/";
    const route = routeLabel(pathname, response.statusCode);
    const method = request.method ?? "GET";
    metrics().httpRequestDuration.observe({ method, route, status: String(response.statusCode) }, seconds);
    const line = {
      requestId: request.headers["x-request-id"],
      method,
      route,
      path: pathname,
      status: response.statusCode,
      durationMs: Math.round(seconds * 1000),
    };
    if (QUIET_ROUTES.has(route)) logger().debug(line, "request");
    else logger().info(line, "request");
  });
}
