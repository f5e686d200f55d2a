import { createTRPCContext } from "@/server/api/context";
import { handleTRPCRequest } from "@/server/api/http";

function handler(req: Request) {
  return handleTRPCRequest(req, () => createTRPCContext({ headers: req.headers }));
}

export { handler as GET, handler as POST };
