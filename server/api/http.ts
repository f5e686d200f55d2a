// tRPC over HTTP (the fetch adapter), given how to build the request's context: the route uses the session's.
// The batch size and the body are checked before the adapter sees the request: the adapter would read any body
// whole and run every call a batch names.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { readBodyOrRefusal, withReadBody } from "@/server/http/read-body-capped";
import { logger } from "@/server/observability/logger";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";
import { MAX_TRPC_BATCH_CALLS, MAX_TRPC_BODY_BYTES, oversizedBatchRefusal } from "./request-limits";
import type { TRPCContext } from "./trpc";

const ENDPOINT = "/api/trpc";

export async function handleTRPCRequest(req: Request, createContext: (request: Request) => Promise<TRPCContext>) {
  const startedAt = performance.now();
  const refusal = oversizedBatchRefusal(req, ENDPOINT);
  if (refusal) return refusal;
  let request = req;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const read = await readBodyOrRefusal(req, MAX_TRPC_BODY_BYTES);
    if (read.refusal) return read.refusal;
    request = withReadBody(req, read.body);
  }
  const response = await fetchRequestHandler({
    endpoint: ENDPOINT,
    req: request,
    router: appRouter,
    maxBatchSize: MAX_TRPC_BATCH_CALLS,
    createContext: () => createContext(request),
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
  // The handler's own time (session, procedure, serialising), apart from the network and the framework around it:
  // what the benchmark's fleet-list row reads, and what a browser's network panel shows.
  response.headers.set("server-timing", `app;dur=${(performance.now() - startedAt).toFixed(1)}`);
  return response;
}
