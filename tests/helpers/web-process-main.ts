// One web process for tests that kill one (tests/helpers/web-processes.ts spawns it): the portal's own route
// handlers for /api/trpc/* and /api/health, served as `next start` serves them (./route-server.ts: the response
// streamed, the request's signal aborted when the client goes away). What it leaves out is Next's page rendering
// and build: the live stream is the route handler, the process's LISTEN hub and the client's link, and a
// production build costs minutes on a CI machine.
import * as healthRoute from "@/app/api/health/route";
import * as trpcRoute from "@/app/api/trpc/[trpc]/route";
import { serveRoutes } from "./route-server";

// No top-level await: tsx runs this file as CommonJS.
void serveRoutes(
  (pathname, method) => {
    if (pathname === "/api/health") return () => healthRoute.GET();
    if (pathname.startsWith("/api/trpc/")) return method === "POST" ? trpcRoute.POST : trpcRoute.GET;
    return null;
  },
  { port: Number(process.env.WEB_PORT ?? 0), isObserved: false },
).then((web) => {
  console.log(`web listening on ${web.port}`);
  process.on("SIGTERM", () => {
    web.closeAllConnections();
    process.exit(0);
  });
});
