// The staff billing page of one instance links to the staff view of that instance, not to the owner's page.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { Instance } from "@/db/schema";

const instance = { id: "2f0c1b7e-8a8d-4c55-9d55-1f1b0f7a6c11", name: "Billing Academy", subdomain: "billing-academy", status: "suspended" } as Instance;

vi.mock("@/server/auth/guards", () => ({
  requireStaff: vi.fn(async () => ({ id: "staff", role: "staff" })),
  requireInstance: vi.fn(async (_user: unknown, id: string) => {
    if (id !== instance.id) throw new Error("not found");
    return instance;
  }),
}));
// The panel is a client component fed by tRPC; what it shows has its own tests.
vi.mock("../instance-billing-panel", () => ({ InstanceBillingPanel: () => null }));

describe("staff billing page of an instance", () => {
  it("links to the instance's staff page", async () => {
    const { default: StaffInstanceBillingPage } = await import("./page");
    const html = renderToStaticMarkup(await StaffInstanceBillingPage({ params: Promise.resolve({ id: instance.id }) }));
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]);
    expect(hrefs).toContain(`/staff/instances/${instance.id}`);
    expect(hrefs.filter((href) => href?.startsWith("/instances/"))).toEqual([]);
  });
});
