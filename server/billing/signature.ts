// Signs a webhook body exactly as Stripe does: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.
import { createHmac } from "node:crypto";

export function stripeSignatureHeader(body: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)) {
  const v1 = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`, "utf8").digest("hex");
  return `t=${timestampSeconds},v1=${v1}`;
}
