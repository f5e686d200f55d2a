import { describe, expect, it } from "vitest";
import { nextCheckDelayMs, VERIFY_FOR_MS } from "@/server/domains/verification-jobs";
import { instanceHostnames, instanceSiteUrl, ownerToolLinks, routedHostnames, servedHostnames, siteUrlFor } from "./hostnames";

describe("an instance's hostnames", () => {
  const oneLabel = { lms: "acme.lyceum.example", studio: "studio-acme.lyceum.example", preview: "preview-acme.lyceum.example", apps: "apps-acme.lyceum.example" };
  it.each([
    [{ subdomain: "acme", customDomain: null, customDomainStatus: null }],
    [{ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "pending" as const }],
    [{ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "failed" as const }],
  ])("serves %j on one-label names the hosting domain's wildcard covers", (instance) => {
    expect(instanceHostnames(instance, "lyceum.example")).toEqual(oneLabel);
    for (const name of Object.values(oneLabel)) expect(name.split(".").slice(1).join(".")).toBe("lyceum.example");
  });

  it("serves a verified custom domain on the names below it", () => {
    expect(instanceHostnames({ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "verified" }, "lyceum.example")).toEqual({
      lms: "learn.acme.org",
      studio: "studio.learn.acme.org",
      preview: "preview.learn.acme.org",
      apps: "apps.learn.acme.org",
    });
  });

  it("keeps serving and routing the nested names of an instance not yet moved, and configures its next deployment with the one-label ones", () => {
    const nested = { subdomain: "acme", hasNestedHostnames: true };
    expect(servedHostnames(nested, "lyceum.example").studio).toBe("studio.acme.lyceum.example");
    expect(instanceHostnames(nested, "lyceum.example")).toEqual(oneLabel);
    expect(routedHostnames(nested, "lyceum.example")).toEqual([
      ...Object.values(oneLabel),
      "studio.acme.lyceum.example",
      "preview.acme.lyceum.example",
      "apps.acme.lyceum.example",
    ]);
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

  it("is routed by the load balancer on its platform names, and on its custom domain's only once verified", () => {
    const platform = ["acme.lyceum.example", "studio-acme.lyceum.example", "preview-acme.lyceum.example", "apps-acme.lyceum.example"];
    const custom = ["learn.acme.org", "studio.learn.acme.org", "preview.learn.acme.org", "apps.learn.acme.org"];
    expect(routedHostnames({ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "pending" }, "lyceum.example")).toEqual(platform);
    expect(routedHostnames({ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "verified" }, "lyceum.example")).toEqual([...platform, ...custom]);
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

describe("the site link", () => {
  const local = { LYCEUM_BASE_DOMAIN: "localhost", LOAD_BALANCER_DRIVER: "none", HAPROXY_HTTP_PORT: 8080, HAPROXY_HTTPS_PORT: 8443 } as const;
  it("is the instance's own server without a load balancer, and the load balancer's port with one", () => {
    expect(siteUrlFor({ subdomain: "acme" }, local, "127.0.0.1:4000")).toBe("http://acme.localhost:4000/");
    expect(siteUrlFor({ subdomain: "acme" }, { ...local, LOAD_BALANCER_DRIVER: "haproxy" }, "127.0.0.1:4000")).toBe("http://acme.localhost:8080/");
    expect(siteUrlFor({ subdomain: "acme" }, { ...local, LOAD_BALANCER_DRIVER: "haproxy" }, null)).toBeNull();
  });

  it("is HTTPS on the hosting domain, without the default port, on the verified custom domain when there is one", () => {
    const production = { LYCEUM_BASE_DOMAIN: "lyceum.example", LOAD_BALANCER_DRIVER: "consul", HAPROXY_HTTP_PORT: 80, HAPROXY_HTTPS_PORT: 443 } as const;
    expect(siteUrlFor({ subdomain: "acme" }, production, "10.0.0.5:80")).toBe("https://acme.lyceum.example/");
    expect(siteUrlFor({ subdomain: "acme", customDomain: "learn.acme.org", customDomainStatus: "verified" }, production, "10.0.0.5:80")).toBe(
      "https://learn.acme.org/",
    );
    expect(siteUrlFor({ subdomain: "acme" }, { ...production, HAPROXY_HTTPS_PORT: 8443 }, "10.0.0.5:80")).toBe("https://acme.lyceum.example:8443/");
  });
});

describe("the owner's links into their Open edX", () => {
  it("opens Studio on the studio name and the LMS admin under /admin, keeping the scheme and port", () => {
    const sample = { subdomain: "sample" };
    expect(ownerToolLinks("https://sample.lyceum.example/", sample)).toEqual({ studio: "https://studio-sample.lyceum.example/", lmsAdmin: "https://sample.lyceum.example/admin" });
    expect(ownerToolLinks("http://sample.localhost:8443/", sample)).toEqual({ studio: "http://studio-sample.localhost:8443/", lmsAdmin: "http://sample.localhost:8443/admin" });
    const custom = { subdomain: "sample", customDomain: "learn.sample.org", customDomainStatus: "verified" as const };
    expect(ownerToolLinks("https://learn.sample.org/", custom).studio).toBe("https://studio.learn.sample.org/");
    expect(ownerToolLinks("https://sample.lyceum.example/", { ...sample, hasNestedHostnames: true }).studio).toBe("https://studio.sample.lyceum.example/");
  });
});
