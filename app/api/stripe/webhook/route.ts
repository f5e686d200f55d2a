import { receiveStripeWebhook } from "@/server/billing/webhook";

// The signature covers the exact bytes Stripe sent, so the body is read as text, never re-serialised.
export async function POST(request: Request) {
  const result = await receiveStripeWebhook(await request.text(), request.headers.get("stripe-signature"));
  return Response.json(result.body, { status: result.status });
}
