// A log-in link crafted to bounce the person to another site afterwards (/login?next=//evil.example).
import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/server/auth/safe-redirect";

const PORTAL = "https://portal.example";

/** Where a browser on the portal ends up when it follows a redirect to `location`. */
function landingOrigin(location: string) {
  return new URL(location, `${PORTAL}/login`).origin;
}

const ATTACKS = [
  "//evil.example",
  "//evil.example/instances",
  "/\\evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/%5Cevil.example",
  "/%5cevil.example",
  "/%2F%2Fevil.example",
  "%2F%2Fevil.example",
  "/%09/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  " //evil.example",
  "https://evil.example",
  "http:evil.example",
  "javascript:alert(1)",
  "///evil.example",
];

describe("the login page's ?next= as an open redirect", () => {
  it.each(ATTACKS)("never leaves the portal for next=%j", (next) => {
    const path = safeRedirectPath(next);
    expect(landingOrigin(path)).toBe(PORTAL);
    expect(path).toBe("/instances");
  });

  it("keeps a same-site path with its query and fragment", () => {
    expect(safeRedirectPath("/instances/42?tab=events#latest")).toBe("/instances/42?tab=events#latest");
    expect(safeRedirectPath("/staff")).toBe("/staff");
  });

  it("falls back when next is missing or not text", () => {
    expect(safeRedirectPath(undefined)).toBe("/instances");
    expect(safeRedirectPath(null)).toBe("/instances");
    expect(safeRedirectPath("")).toBe("/instances");
  });
});
