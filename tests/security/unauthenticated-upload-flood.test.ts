// The branding upload route under a body flood: an anonymous client (or a signed-in one) streams 20 MB of
// chunked body at it, over real HTTP, against the real route handler and Auth.js's real sign-in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "@/bench/lib/session";
import { closeDb } from "@/db";
import * as assetsRoute from "@/app/api/assets/[id]/[slot]/route";
import * as authRoute from "@/app/api/auth/[...nextauth]/route";
import { floodWithChunkedBody } from "../helpers/body-flood";
import { makeVerifiedUser, saveDraft } from "../helpers/registration";
import { serveRoutes } from "../helpers/route-server";
import { makePng } from "../helpers/sample-images";

const FLOOD_BYTES = 20 * 1024 * 1024;
const MEMORY_BUDGET_BYTES = 20 * 1024 * 1024;

let portal: Awaited<ReturnType<typeof serveRoutes>>;
let instanceId: string;
let ownerCookie: string;

beforeAll(async () => {
  const owner = await makeVerifiedUser();
  instanceId = await saveDraft(owner);
  portal = await serveRoutes({
    "/api/auth/csrf": (request) => authRoute.GET(request as never),
    "/api/auth/callback/credentials": (request) => authRoute.POST(request as never),
    [`/api/assets/${instanceId}/logo`]: (request) => assetsRoute.POST(request as never, { params: Promise.resolve({ id: instanceId, slot: "logo" }) }),
  });
  ownerCookie = (await signIn(portal.url, owner.email, "a long enough password")).header();
});

afterAll(async () => {
  await portal?.close();
  await closeDb();
});

function multipartHeaders(extra: Record<string, string> = {}) {
  return { "content-type": "multipart/form-data; boundary=----flood", ...extra };
}

describe("an unauthenticated upload flood", () => {
  it("a signed-in owner's real logo still uploads through the route", async () => {
    const form = new FormData();
    form.set("file", new Blob([makePng(120, 40)], { type: "image/png" }), "logo.png");
    const response = await fetch(`${portal.url}/api/assets/${instanceId}/logo`, { method: "POST", body: form, headers: { cookie: ownerCookie } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ width: 120, height: 40 });
  });

  it("an anonymous 20 MB chunked upload is refused with 401 before its body is read", async () => {
    const outcome = await floodWithChunkedBody(`${portal.url}/api/assets/${instanceId}/logo`, { headers: multipartHeaders(), totalBytes: FLOOD_BYTES });
    expect(outcome.status).toBe(401);
    expect(JSON.parse(outcome.body)).toEqual({ error: "Log in to continue." });
    expect(outcome.elapsedMs).toBeLessThan(5_000);
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
    expect(outcome.peakRssGrowthBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
  });

  it("a signed-in owner's 20 MB chunked upload is cut off at the cap with 413", async () => {
    const outcome = await floodWithChunkedBody(`${portal.url}/api/assets/${instanceId}/logo`, {
      headers: multipartHeaders({ cookie: ownerCookie }),
      totalBytes: FLOOD_BYTES,
    });
    expect(outcome.status).toBe(413);
    expect(outcome.elapsedMs).toBeLessThan(5_000);
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
    expect(outcome.peakRssGrowthBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
  });

  it("a declared Content-Length over the cap is refused before anything is read", async () => {
    const response = await fetch(`${portal.url}/api/assets/${instanceId}/logo`, {
      method: "POST",
      headers: multipartHeaders({ cookie: ownerCookie }),
      body: Buffer.alloc(3 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it("a 20 MB chunked sign-in body is cut off at the cap with 413", async () => {
    const outcome = await floodWithChunkedBody(`${portal.url}/api/auth/callback/credentials`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      totalBytes: FLOOD_BYTES,
    });
    expect(outcome.status).toBe(413);
    expect(outcome.bytesSent).toBeLessThan(FLOOD_BYTES);
    expect(outcome.peakRssGrowthBytes).toBeLessThan(MEMORY_BUDGET_BYTES);
  });
});
