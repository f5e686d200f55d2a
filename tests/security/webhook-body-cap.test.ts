// The Stripe webhook route under a body flood, over real HTTP against the real route handler: anyone on the
// internet can post to it, and the signature can only be checked once the body is in hand, so the body must
// be capped and a request that cannot be Stripe's must be refused before its body is read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { closeDb } from "@/db";
import { stripeSignatureHeader } from "@/server/billing/signature";
import { uniqueSuffix } from "../helpers/accounts";
import { floodWithChunkedBody } from "../helpers/body-flood";
import { makeVerifiedUser, registerInstance } from "../helpers/registration";
import { serveRoutes } from "../helpers/route-server";
import { checkoutCompletedEvent } from "../helpers/stripe";

const FLOOD_BYTES = 20 * 1024 * 1024;
const MEMORY_BUDGET_BYTES = 20 * 1024 * 1024;

let portal: Awaited<ReturnType<typeof serveRoutes>>;
const webhookUrl = () => `${portal.url}/api/stripe/webhook`;
/** What an attacker can make without the secret: a well-formed header with a fresh timestamp. */
const plausibleSignature = () => `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`;

beforeAll(async () => {
  portal = await serveRoutes({ "/api/stripe/webhook": POST });
});

afterAll(async () => {
  await portal?.close();
  await closeDb();
});

describe("a webhook body flood", () => {
  it("a real signed event still goes through over HTTP", async () => {
    const instance = await registerInstance(await makeVerifiedUser(), { subdomain: `cap-${uniqueSuffix()}` });
    const body = JSON.stringify(checkoutCompletedEvent(instance.id));
    const response = await fetch(webhookUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": stripeSignatureHeader(body, process.env.STRIPE_WEBHOOK_SECRET!) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
  });

  it("a 20 MB chunked body with a plausible signature is cut off at the cap with 413", async () => {
    const outcome = await floodWithChunkedBody(webhookUrl(), {
      headers: { "content-type": "application/json", "stripe-signature": plausibleSignature() },
      totalBytes: FLOOD_BYTES,
    });
    expect(outcome.status).toBe(413);
    expect(outcome.elapsedMs).toBeLessThan(5_000);
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
    expect(outcome.peakRssGrowthBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
  });

  it("a 20 MB chunked body without a signature is refused with 400 before its body is read", async () => {
    const outcome = await floodWithChunkedBody(webhookUrl(), { headers: { "content-type": "application/json" }, totalBytes: FLOOD_BYTES });
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.body)).toMatchObject({ received: false, error: "Missing Stripe-Signature header" });
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
    expect(outcome.peakRssGrowthBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
  });

  it("a 20 MB chunked body with a stale signature is refused with 400 before its body is read", async () => {
    const stale = `t=${Math.floor(Date.now() / 1000) - 3600},v1=${"0".repeat(64)}`;
    const outcome = await floodWithChunkedBody(webhookUrl(), { headers: { "content-type": "application/json", "stripe-signature": stale }, totalBytes: FLOOD_BYTES });
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.body).error).toMatch(/tolerance/i);
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
  });

  it("a declared Content-Length over the cap is refused with 413 before anything is read", async () => {
    const response = await fetch(webhookUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": plausibleSignature() },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(response.status).toBe(413);
  });
});
