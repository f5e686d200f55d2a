import { describe, expect, it } from "vitest";
import { nextCheckDelayMs, VERIFY_FOR_MS } from "@/server/domains/verification-jobs";
import { instanceHostnames, instanceSiteUrl } from "./hostnames";

describe("an instance's hostnames", () => {
  it.each([
    [{ subdomain: "acme", customDomain: null, customDomainStatus: null }, "acme.lyceum.example"],
    [{ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "pending" as const }, "acme.lyceum.example"],
    [{ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "failed" as const }, "acme.lyceum.example"],
    [{ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "verified" as const }, "learn.acme.org"],
  ])("serves %j under %s", (instance, root) => {
    expect(instanceHostnames(instance, "lyceum.example")).toEqual({
      lms: root,
      studio: `studio.${root}`,
      preview: `preview.${root}`,
      apps: `apps.${root}`,
    });
  });

  it("has none while a draft has no subdomain", () => {
    expect(() => instanceHostnames({ subdomain: null }, "lyceum.example")).toThrow(/draft/);
    expect(instanceSiteUrl({ subdomain: null }, "localhost", "127.0.0.1:4000")).toBeNull();
  });

  it("links local sites through the subdomain, whose name resolves here", () => {
    const verified = { subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "verified" as const };
    expect(instanceSiteUrl(verified, "localhost", "127.0.0.1:4000")).toBe("http://acme.localhost:4000/");
    expect(instanceSiteUrl(verified, "lyceum.example", "10.0.0.5:80")).toBe("http://learn.acme.org:80/");
  });
});

describe("when a custom domain is checked again", () => {
  it.each([
    [0, 30_000],
    [40_000, 30_000],
    [120_000, 60_000],
    [600_000, 300_000],
    [VERIFY_FOR_MS, 3_600_000],
  ])("after %d ms of checking, waits %d ms", (elapsed, delay) => {
    expect(nextCheckDelayMs(elapsed)).toBe(delay);
  });
});
