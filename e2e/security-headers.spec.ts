// The security headers as `next start` really sends them, on a page of every route group, and the pages still
// render and hydrate under the Content Security Policy (no violation reported by the browser); a hostile page
// that frames the portal gets nothing.
import type { Response } from "@playwright/test";
import { expect, test, type Page } from "./fixtures/test";
import { clientAtCheckout } from "./fixtures/registration";
import { staffPage } from "./fixtures/staff";

function expectSecurityHeaders(response: Response | null) {
  expect(response, "the page answered").not.toBeNull();
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toContain("default-src 'self'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
}

/** Content Security Policy violations the browser reports on `page`'s console. */
function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("every route group sends the security headers, and its pages render and hydrate under the policy", async ({ page, browser }) => {
  const clientViolations = cspViolations(page);
  expectSecurityHeaders(await page.goto("/"));
  expectSecurityHeaders(await page.goto("/login"));
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();

  // The wizard is client-side forms through tRPC: it completes only if the page hydrated.
  const client = await clientAtCheckout(page, "csp");
  expectSecurityHeaders(await page.goto(`/instances/${client.instanceId}`));
  await expect(page.getByRole("heading", { level: 1, name: client.name })).toBeVisible();
  expect(clientViolations).toEqual([]);

  const staff = await staffPage(browser);
  const staffViolations = cspViolations(staff);
  expectSecurityHeaders(await staff.goto("/staff"));
  expectSecurityHeaders(await staff.goto(`/staff/instances/${client.instanceId}`));
  await expect(staff.getByRole("heading", { level: 1, name: client.name })).toBeVisible();
  expect(staffViolations).toEqual([]);
});

test("HSTS is sent when the request came over HTTPS (through the load balancer)", async ({ request }) => {
  const plain = await request.get("/login");
  expect(plain.headers()["strict-transport-security"]).toBeUndefined();
  const overHttps = await request.get("/login", { headers: { "x-forwarded-proto": "https" } });
  expect(overHttps.headers()["strict-transport-security"]).toMatch(/^max-age=\d{7,}/);
});

test("a page on another site that frames the portal shows nothing of it", async ({ page, baseURL }) => {
  await page.setContent(`<iframe id="portal" src="${baseURL}/login" width="800" height="600"></iframe>`);
  const frame = page.frameLocator("#portal");
  await page.waitForTimeout(2_000);
  await expect(frame.getByRole("button", { name: "Log in" })).toHaveCount(0);
});
