// tRPC over HTTP (the fetch adapter), given how to build the request's context: the route uses the session's.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { logger } from "@/server/observability/logger";
import type { TRPCContext } from "./trpc";

export function handleTRPCRequest(req: Request, createContext: () => Promise<TRPCContext>) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    onError({ path, error }) {
      if (error.code !== "INTERNAL_SERVER_ERROR") return;
      logger().error({ err: error.cause ?? error, procedure: path, requestId: req.headers.get("x-request-id") }, `tRPC ${path ?? "?"} failed`);
    },
  });
}
