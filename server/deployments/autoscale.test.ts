import { describe, expect, it } from "vitest";
import { planById } from "@/server/billing/plans";
import { decideScaling, loadLevel, type LoadSample } from "./autoscale";

const policy = planById("growth").autoscale!;
const timing = { outAfterSeconds: 180, inAfterSeconds: 900 };
const now = new Date("2026-12-01T12:00:00Z");
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const sample = (perServer: number, responseTimeMs: number | null = 50, servers = 2): LoadSample => ({
  requestsPerSecond: perServer * servers,
  requestsPerSecondPerServer: perServer,
  responseTimeMs,
});

describe("autoscaling decisions", () => {
  it("calls the load high above either threshold, low only when few requests come and they are answered fast", () => {
    expect(loadLevel(sample(41), policy)).toBe("high");
    expect(loadLevel(sample(5, 2000), policy)).toBe("high");
    expect(loadLevel(sample(20), policy)).toBe("normal");
    expect(loadLevel(sample(5), policy)).toBe("low");
    // No request in the interval: HAProxy's average response time is stale and does not count.
    expect(loadLevel(sample(0, null), policy)).toBe("low");
  });

  it("adds a server only once the load has been high for the whole period, and never beyond the plan's maximum", () => {
    const base = { lowSince: null, now, sample: sample(60), policy, timing };
    expect(decideScaling({ ...base, level: "high", highSince: secondsAgo(179), servers: 2 })).toBeNull();
    expect(decideScaling({ ...base, level: "high", highSince: secondsAgo(180), servers: 2 })).toMatchObject({ direction: "out", from: 2, to: 3 });
    expect(decideScaling({ ...base, level: "high", highSince: secondsAgo(600), servers: policy.maxServers })).toBeNull();
    const slow = decideScaling({ ...base, sample: sample(5, 2500), level: "high", highSince: secondsAgo(200), servers: 2 });
    expect(slow?.reason).toMatch(/^the average response time has been above 1500 ms for 200 s \(now 10\.0 requests\/s over 2 server\(s\)/);
  });

  it("removes a server after the longer quiet period, never below the plan's minimum", () => {
    const base = { highSince: null, now, sample: sample(1), policy, timing };
    expect(decideScaling({ ...base, level: "low", lowSince: secondsAgo(899), servers: 3 })).toBeNull();
    expect(decideScaling({ ...base, level: "low", lowSince: secondsAgo(900), servers: 3 })).toMatchObject({ direction: "in", from: 3, to: 2 });
    expect(decideScaling({ ...base, level: "low", lowSince: secondsAgo(3600), servers: policy.minServers })).toBeNull();
  });

  it("is opt-in per plan", () => {
    expect(planById("starter").autoscale).toBeNull();
    expect(planById("scale").autoscale).toMatchObject({ minServers: 3 });
  });
});
