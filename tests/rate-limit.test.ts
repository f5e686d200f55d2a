// The Postgres-kept rate limit: a sliding window per key, the same for every web process.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { consumeRateLimit } from "@/server/rate-limit/consume";

describe("rate limit", () => {
  it("allows `limit` attempts per window, refuses the next with the wait, and allows again once the oldest leaves", async () => {
    const key = `test:${randomUUID()}`;
    const rule = { key, limit: 2, windowMs: 1500 };
    expect(await consumeRateLimit(rule)).toEqual({ isAllowed: true });
    expect(await consumeRateLimit(rule)).toEqual({ isAllowed: true });
    expect(await consumeRateLimit(rule)).toEqual({ isAllowed: false, retryAfterSeconds: 2 });
    expect(await consumeRateLimit({ ...rule, key: `${key}:other` })).toEqual({ isAllowed: true });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await consumeRateLimit(rule)).toEqual({ isAllowed: true });
  });

  it("counts attempts made at the same moment one by one", async () => {
    const rule = { key: `test:${randomUUID()}`, limit: 5, windowMs: 60_000 };
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => consumeRateLimit(rule)));
    expect(verdicts.filter((verdict) => verdict.isAllowed)).toHaveLength(5);
  });
});
