// Using the registration wizard as a mail cannon: each new draft naming someone else's address as the
// instance's contact used to send that address a confirmation email, without limit.
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import type { User } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { handleTRPCRequest } from "@/server/api/http";
import { makeUser, uniqueSuffix } from "../helpers/accounts";
import { queuedEmailsTo } from "../helpers/queued-emails";

/** The tRPC API as a browser at `clientIp` would reach it (Next puts the address in x-forwarded-for). */
function apiFrom(user: User, clientIp: string) {
  return createCaller({ db, user, headers: new Headers({ "x-forwarded-for": clientIp }) });
}

const draftNaming = (contactEmail: string, i: number) => ({
  values: { name: `Flood ${i}`, contactEmail, description: "", privacyPolicyUrl: "https://example.org/privacy" },
});

async function saveDraftsNaming(api: ReturnType<typeof apiFrom>, victim: string, count: number) {
  let throttled = 0;
  for (let i = 0; i < count; i++) {
    try {
      await api.registration.saveInstance(draftNaming(victim, i));
    } catch (error) {
      if (!(error instanceof TRPCError && error.code === "TOO_MANY_REQUESTS")) throw error;
      throttled += 1;
    }
  }
  return throttled;
}

describe("flooding a stranger's inbox through the registration wizard", () => {
  it("sends at most a handful of confirmation emails for 50 drafts naming the victim's address", async () => {
    const attacker = await makeUser();
    const victim = `victim-${uniqueSuffix()}@example.org`;
    const throttled = await saveDraftsNaming(apiFrom(attacker, "203.0.113.10"), victim, 50);
    expect(throttled).toBeGreaterThan(0);
    expect((await queuedEmailsTo(victim)).length).toBeLessThanOrEqual(3);
  });

  it("still sends at most a handful when many accounts from many addresses name the same victim", async () => {
    const victim = `victim-${uniqueSuffix()}@example.org`;
    for (let a = 0; a < 5; a++) await saveDraftsNaming(apiFrom(await makeUser(), `203.0.113.${20 + a}`), victim, 10);
    expect((await queuedEmailsTo(victim)).length).toBeLessThanOrEqual(3);
  });

  it("changing an existing draft's contact address back and forth does not send more", async () => {
    const attacker = await makeUser();
    const victim = `victim-${uniqueSuffix()}@example.org`;
    const api = apiFrom(attacker, "203.0.113.40");
    const { id } = await api.registration.saveInstance(draftNaming(victim, 0));
    for (let i = 0; i < 20; i++) {
      await api.registration.saveInstance({ id, ...draftNaming(i % 2 ? victim : attacker.email, i) }).catch((error: unknown) => {
        if (!(error instanceof TRPCError && error.code === "TOO_MANY_REQUESTS")) throw error;
      });
    }
    expect((await queuedEmailsTo(victim)).length).toBeLessThanOrEqual(3);
  });

  it("answers a throttled request over HTTP with 429, a Retry-After header and a message", async () => {
    const attacker = await makeUser();
    const clientIp = "203.0.113.50";
    await saveDraftsNaming(apiFrom(attacker, clientIp), `victim-${uniqueSuffix()}@example.org`, 40);
    const request = new Request("http://portal.test/api/trpc/registration.saveInstance", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": clientIp },
      body: JSON.stringify(superjson.serialize(draftNaming(`other-${uniqueSuffix()}@example.org`, 99))),
    });
    const response = await handleTRPCRequest(request, async () => ({ db, user: attacker, headers: request.headers }));
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await response.json()) as { error: { json: { message: string } } };
    expect(body.error.json.message).toMatch(/^Too many new drafts\. Try again in \d+ (minutes?|seconds?)\.$/);
  });

  it("refuses to resend the account's own confirmation email more than a few times an hour", async () => {
    const account = await makeUser();
    const api = apiFrom(account, "203.0.113.60");
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push(await api.account.resendVerification().then(() => "sent", (error: unknown) => (error instanceof TRPCError ? error.code : error)));
    expect(outcomes.filter((o) => o === "sent")).toHaveLength(5);
    expect(outcomes.slice(5)).toEqual(Array(5).fill("TOO_MANY_REQUESTS"));
    expect((await queuedEmailsTo(account.email)).length).toBe(5);
  });
});
