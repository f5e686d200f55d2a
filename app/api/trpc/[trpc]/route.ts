import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createTRPCContext } from "@/server/api/context";
import { logger } from "@/server/observability/logger";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    onError({ path, error }) {
      if (error.code !== "INTERNAL_SERVER_ERROR") return;
      logger().error({ err: error.cause ?? error, procedure: path, requestId: req.headers.get("x-request-id") }, `tRPC ${path ?? "?"} failed`);
    },
  });
}

export { handler as GET, handler as POST };
