// One web process for tests that kill one (tests/helpers/web-processes.ts spawns it): the portal's own route
// handlers for /api/trpc/* and /api/health, served over Node's HTTP server as `next start` serves them, with the
// response streamed (an SSE subscription never ends) and the request's signal aborted when the client goes away.
// What it leaves out is Next's page rendering and build: the live stream is the route handler, the process's LISTEN
// hub and the client's link, and a production build costs minutes on a CI machine.
import http from "node:http";
import * as healthRoute from "@/app/api/health/route";
import * as trpcRoute from "@/app/api/trpc/[trpc]/route";

type Handler = (request: Request) => Response | Promise<Response>;

function handlerFor(pathname: string, method: string): Handler | null {
  if (pathname === "/api/health") return () => healthRoute.GET();
  if (pathname.startsWith("/api/trpc/")) return method === "POST" ? trpcRoute.POST : trpcRoute.GET;
  return null;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const handler = handlerFor(url.pathname, req.method ?? "GET");
  if (!handler) {
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  // Next's server adds these when a proxy has not (Auth.js reads the scheme from them to pick its cookie names).
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
  if (!headers.has("x-forwarded-host") && req.headers.host) headers.set("x-forwarded-host", req.headers.host);
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, {
    method: req.method,
    headers,
    signal: gone.signal,
    ...(hasBody && { body: req as unknown as ReadableStream, duplex: "half" }),
  });
  Promise.resolve(handler(request))
    .then(async (response) => {
      const cookies = response.headers.getSetCookie();
      res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...(cookies.length && { "set-cookie": cookies }) });
      if (!response.body) return void res.end();
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done || gone.signal.aborted) break;
          res.write(value);
        }
      } finally {
        res.end();
        void reader.cancel().catch(() => {});
      }
    })
    .catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`${(error as Error).message}\n`);
    });
});

server.listen(Number(process.env.WEB_PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`web listening on ${typeof address === "object" && address ? address.port : "?"}`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  process.exit(0);
});
