import { createTRPCContextForRequest } from "@/server/api/context";
import { handleTRPCRequest } from "@/server/api/http";

function handler(req: Request) {
  return handleTRPCRequest(req, createTRPCContextForRequest);
}

export { handler as GET, handler as POST };
