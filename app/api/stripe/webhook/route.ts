import { MAX_WEBHOOK_BODY_BYTES, receiveStripeWebhook, signatureHeaderRefusal } from "@/server/billing/webhook";
import { readBodyOrRefusal } from "@/server/http/read-body-capped";

// The signature covers the exact bytes Stripe sent, so the body is read raw, never re-serialised. It is read
// only when the signature header could be Stripe's, and only up to the cap.
export async function POST(request: Request) {
  const signature = request.headers.get("stripe-signature");
  const refusal = signatureHeaderRefusal(signature);
  if (refusal) return Response.json(refusal.body, { status: refusal.status });
  const read = await readBodyOrRefusal(request, MAX_WEBHOOK_BODY_BYTES);
  if (read.refusal) return read.refusal;
  const result = await receiveStripeWebhook(read.body.toString("utf8"), signature);
  return Response.json(result.body, { status: result.status });
}
