import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTRPCContextForRequest } from "@/server/api/context";
import { MAX_TRPC_BATCH_CALLS, MAX_TRPC_BODY_BYTES, oversizedBatchRefusal } from "@/server/api/request-limits";
import { appRouter } from "@/server/api/root";
import { readBodyOrRefusal, withReadBody } from "@/server/http/read-body-capped";
import { logger } from "@/server/observability/logger";

const ENDPOINT = "/api/trpc";

// The batch size and the body are checked before the adapter sees the request: the adapter would read any
// body whole and run every call a batch names.
async function handler(req: Request) {
  const refusal = oversizedBatchRefusal(req, ENDPOINT);
  if (refusal) return refusal;
  let request = req;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const read = await readBodyOrRefusal(req, MAX_TRPC_BODY_BYTES);
    if (read.refusal) return read.refusal;
    request = withReadBody(req, read.body);
  }
  return fetchRequestHandler({
    endpoint: ENDPOINT,
    req: request,
    router: appRouter,
    maxBatchSize: MAX_TRPC_BATCH_CALLS,
    createContext: () => createTRPCContextForRequest(request),
    onError({ path, error }) {
      if (error.code !== "INTERNAL_SERVER_ERROR") return;
      logger().error({ err: error.cause ?? error, procedure: path, requestId: req.headers.get("x-request-id") }, `tRPC ${path ?? "?"} failed`);
    },
  });
}

export { handler as GET, handler as POST };
