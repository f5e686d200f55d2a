// The tRPC endpoint under a batch flood and a body flood, over real HTTP against the real route handler: one
// request naming 10,000 calls (the batch's procedure names are a comma-separated path, so empty names fit
// 10,000 calls in a URL Node accepts), and a 20 MB chunked mutation body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as trpcRoute from "@/app/api/trpc/[trpc]/route";
import { closeDb } from "@/db";
import { MAX_TRPC_BATCH_CALLS } from "@/server/api/request-limits";
import { floodWithChunkedBody } from "../helpers/body-flood";
import { serveRoutes, type RouteHandler } from "../helpers/route-server";

const FLOOD_BYTES = 20 * 1024 * 1024;
const MEMORY_BUDGET_BYTES = 20 * 1024 * 1024;

let portal: Awaited<ReturnType<typeof serveRoutes>>;

/** Serves every /api/trpc/… path with the route's handler (the route server matches whole paths). */
function trpcPaths(paths: string[]): Record<string, RouteHandler> {
  return Object.fromEntries(paths.map((path) => [`/api/trpc/${path}`, (request: Request) => trpcRoute.POST(request)]));
}

const batchOf = (count: number, name: string) => Array.from({ length: count }, () => name).join(",");
const batchInput = (count: number) => encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, i) => [i, { json: null }]))));

beforeAll(async () => {
  portal = await serveRoutes({
    ...trpcPaths([batchOf(10_000, ""), batchOf(MAX_TRPC_BATCH_CALLS, "instances.mine"), batchOf(MAX_TRPC_BATCH_CALLS + 1, "instances.mine"), "account.resendVerification"]),
  });
});

afterAll(async () => {
  await portal?.close();
  await closeDb();
});

describe("a tRPC batch flood", () => {
  it("a batch of 10,000 calls is refused with 400 before any call runs", async () => {
    const started = Date.now();
    const response = await fetch(`${portal.url}/api/trpc/${batchOf(10_000, "")}?batch=1&input=${batchInput(1)}`);
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toBe(`A batch may hold at most ${MAX_TRPC_BATCH_CALLS} calls; this one has 10000.`);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("the same flood as a POST is refused with 400 without reading its body", async () => {
    const response = await fetch(`${portal.url}/api/trpc/${batchOf(10_000, "")}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(400);
  });

  it(`a batch of ${MAX_TRPC_BATCH_CALLS} calls is served, one of ${MAX_TRPC_BATCH_CALLS + 1} is refused`, async () => {
    const allowed = await fetch(`${portal.url}/api/trpc/${batchOf(MAX_TRPC_BATCH_CALLS, "instances.mine")}?batch=1&input=${batchInput(MAX_TRPC_BATCH_CALLS)}`);
    // Each call answers for itself: nobody is signed in.
    expect(allowed.status).toBe(401);
    expect(await allowed.json()).toHaveLength(MAX_TRPC_BATCH_CALLS);
    const refused = await fetch(`${portal.url}/api/trpc/${batchOf(MAX_TRPC_BATCH_CALLS + 1, "instances.mine")}?batch=1&input=${batchInput(MAX_TRPC_BATCH_CALLS + 1)}`);
    expect(refused.status).toBe(400);
  });

  it("a 20 MB chunked mutation body is cut off at the cap with 413", async () => {
    const outcome = await floodWithChunkedBody(`${portal.url}/api/trpc/account.resendVerification`, {
      headers: { "content-type": "application/json" },
      totalBytes: FLOOD_BYTES,
    });
    expect(outcome.status).toBe(413);
    expect(outcome.elapsedMs).toBeLessThan(5_000);
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
    expect(outcome.peakRssGrowthBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
  });

  it("a declared Content-Length over the cap is refused with 413 before anything is read", async () => {
    const response = await fetch(`${portal.url}/api/trpc/account.resendVerification`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(response.status).toBe(413);
  });
});
