// tRPC over HTTP (the fetch adapter), given how to build the request's context: the route uses the session's.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { logger } from "@/server/observability/logger";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";
import type { TRPCContext } from "./trpc";

export function handleTRPCRequest(req: Request, createContext: () => Promise<TRPCContext>) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    // A throttled call says when to come back (the longest wait, when a batch holds several).
    responseMeta({ errors }) {
      const waits = errors.map((error) => (error.cause instanceof RateLimitedError ? error.cause.retryAfterSeconds : 0));
      const retryAfterSeconds = Math.max(0, ...waits);
      return retryAfterSeconds > 0 ? { headers: new Headers({ "retry-after": String(retryAfterSeconds) }) } : {};
    },
    onError({ path, error }) {
      if (error.code !== "INTERNAL_SERVER_ERROR") return;
      logger().error({ err: error.cause ?? error, procedure: path, requestId: req.headers.get("x-request-id") }, `tRPC ${path ?? "?"} failed`);
    },
  });
}
