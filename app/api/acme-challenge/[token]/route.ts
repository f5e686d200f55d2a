// HTTP-01 validation (RFC 8555 §8.3): the load balancer sends /.well-known/acme-challenge/ on every host to the
// portal, and next.config.ts rewrites that path here (the App Router does not route folders starting with a dot).
import { httpChallengeResponse } from "@/server/certificates/acme-stores";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const keyAuthorization = await httpChallengeResponse(token);
  if (!keyAuthorization) return new Response("No such challenge\n", { status: 404, headers: { "content-type": "text/plain" } });
  return new Response(keyAuthorization, { headers: { "content-type": "application/octet-stream" } });
}
