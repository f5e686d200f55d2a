import { describe, expect, it } from "vitest";
import { routeLabel } from "./http-route";

describe("the route label of HTTP metrics", () => {
  it.each([
    ["/", 200, "/"],
    ["/instances/0b6f3c52-1d2e-4f7a-9c1b-2a3b4c5d6e7f", 200, "/instances/[id]"],
    ["/staff/instances/0B6F3C52-1D2E-4F7A-9C1B-2A3B4C5D6E7F", 200, "/staff/instances/[id]"],
    ["/api/trpc/staff.fleet,staff.statusCounts", 200, "/api/trpc/staff.fleet,staff.statusCounts"],
    ["/api/trpc/<script>", 400, "/api/trpc/(invalid)"],
    ["/_next/static/chunks/app-1234.js", 200, "/_next/static"],
    ["/wp-admin/setup.php", 404, "(not found)"],
    ["/checkout/0b6f3c52-1d2e-4f7a-9c1b-2a3b4c5d6e7f", 200, "/checkout/[id]"],
  ])("labels %s (%i) as %s", (path, status, expected) => {
    expect(routeLabel(path, status)).toBe(expected);
  });
});
