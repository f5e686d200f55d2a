// Serves the portal's route handlers (app/api/**/route.ts) on a loopback port, as `next start` would serve
// them, with the same request timing and ids (Node's HTTP diagnostics channels): what Prometheus and the
// observability tests talk to.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { observeHttpRequests } from "@/server/observability/http-requests";

export type RouteHandler = (request: Request) => Response | Promise<Response>;

export async function serveRoutes(routes: Record<string, RouteHandler>) {
  observeHttpRequests();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const handler = routes[url.pathname];
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
    const request = new Request(url, { method: req.method, headers, ...(hasBody && { body: req as unknown as ReadableStream, duplex: "half" }) });
    Promise.resolve(handler(request))
      .then(async (response) => {
        // Each Set-Cookie stays its own header (a plain object of the headers would keep only the last one).
        const cookies = response.headers.getSetCookie();
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...(cookies.length && { "set-cookie": cookies }) });
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
