// Serves the portal's route handlers (app/api/**/route.ts) on a loopback port, as `next start` would serve
// them, with the same request timing and ids (Node's HTTP diagnostics channels): what Prometheus and the
// observability tests talk to.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { observeHttpRequests } from "@/server/observability/http-requests";

export type RouteHandler = (request: Request) => Response | Promise<Response>;

/** The handler for a path and method, or null for a 404. */
type RouteResolver = (pathname: string, method: string) => RouteHandler | null;

type ServeOptions = {
  /** The loopback port to listen on (a free one when left out). */
  port?: number;
  /** Records request timing and ids as the portal's server does (server/observability/http-requests.ts). */
  isObserved?: boolean;
};

export async function serveRoutes(routes: Record<string, RouteHandler> | RouteResolver, options: ServeOptions = {}) {
  if (options.isObserved ?? true) observeHttpRequests();
  const resolve: RouteResolver = typeof routes === "function" ? routes : (pathname) => routes[pathname] ?? null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const handler = resolve(url.pathname, req.method ?? "GET");
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    // Next's server adds these when a proxy has not (Auth.js reads the scheme from them to pick its cookie names).
    if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
    if (!headers.has("x-forwarded-host") && req.headers.host) headers.set("x-forwarded-host", req.headers.host);
    // The body is the incoming message itself, as `next start` hands it to route handlers: a stream that is
    // read only as far as the handler reads it.
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    // The request's signal aborts when the client goes away, as Next's does: a subscription's generator ends then.
    const disconnected = new AbortController();
    res.on("close", () => disconnected.abort());
    const request = new Request(url, {
      method: req.method,
      headers,
      signal: disconnected.signal,
      ...(hasBody && { body: req as unknown as ReadableStream, duplex: "half" }),
    });
    Promise.resolve(handler(request))
      .then(async (response) => {
        // Each Set-Cookie stays its own header (a plain object of the headers would keep only the last one).
        const cookies = response.headers.getSetCookie();
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...(cookies.length && { "set-cookie": cookies }) });
        // Streamed chunk by chunk, as `next start` does: an SSE response reaches the client while it is open.
        const reader = response.body?.getReader();
        try {
          for (let read = await reader?.read(); reader && read && !read.done && !disconnected.signal.aborted; read = await reader.read()) res.write(read.value);
        } finally {
          res.end();
          void reader?.cancel().catch(() => {});
        }
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
        else res.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    /** Drops every open connection at once (open streams included), as a process that exits does. */
    closeAllConnections: () => server.closeAllConnections(),
  };
}
