// Clickjacking and content injection: the security headers of every route group, as Next computes them from
// next.config.ts (its own loader and route matcher, nothing built). e2e/security-headers.spec.ts reads the
// same headers from the real `next start`.
import loadCustomRoutes from "next/dist/lib/load-custom-routes";
import { buildCustomRoute } from "next/dist/lib/build-custom-route";
import { describe, expect, it } from "vitest";
import nextConfig from "@/next.config";

/** One path of every route group (and the API), as a browser would request it. */
const ROUTE_GROUPS = {
  home: ["/"],
  auth: ["/login", "/signup", "/forgot-password", "/reset-password", "/verify-email"],
  portal: ["/instances", "/instances/new", "/instances/0b6f2c1e-6f0e-4a53-9a55-6c2c6b1f5d11", "/instances/0b6f2c1e-6f0e-4a53-9a55-6c2c6b1f5d11/settings", "/billing", "/checkout/0b6f2c1e-6f0e-4a53-9a55-6c2c6b1f5d11"],
  staff: ["/staff", "/staff/instances/0b6f2c1e-6f0e-4a53-9a55-6c2c6b1f5d11", "/staff/queue", "/staff/billing", "/staff/audit"],
} as const;

/** The headers Next adds to a request for `path`, with the request headers `requestHeaders`. */
async function headersFor(path: string, requestHeaders: Record<string, string> = {}): Promise<Record<string, string>> {
  const { headers: rules } = await loadCustomRoutes({ ...nextConfig, basePath: "", trailingSlash: false } as never);
  const result: Record<string, string> = {};
  for (const rule of rules.map((route) => buildCustomRoute("header", route))) {
    if (!new RegExp(rule.regex).test(path)) continue;
    const isMet = (rule.has ?? []).every((condition) => condition.type === "header" && requestHeaders[condition.key] === condition.value);
    if (!isMet) continue;
    for (const header of rule.headers) result[header.key.toLowerCase()] = header.value;
  }
  return result;
}

describe("security headers", () => {
  describe.each(Object.entries(ROUTE_GROUPS))("the %s pages", (_group, paths) => {
    it.each(paths)("%s forbids framing, sniffing and foreign scripts, and sets a referrer policy", async (path) => {
      const headers = await headersFor(path);
      const csp = headers["content-security-policy"];
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toMatch(/script-src 'self'( |;)/);
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-eval");
      expect(headers["x-frame-options"]).toBe("DENY");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
      expect(headers["strict-transport-security"]).toBeUndefined();
    });

    it.each(paths)("%s sends HSTS when the request came over HTTPS", async (path) => {
      expect((await headersFor(path, { "x-forwarded-proto": "https" }))["strict-transport-security"]).toMatch(/^max-age=\d{7,}/);
    });
  });

  it("API routes get nosniff and no framing, and keep their own content policy", async () => {
    const headers = await headersFor("/api/assets/0b6f2c1e-6f0e-4a53-9a55-6c2c6b1f5d11/logo");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["content-security-policy"]).toBeUndefined();
  });
});
