// The whole life of an instance behind a real HAProxy, configured the way `npm run dev` configures it
// (LOAD_BALANCER_DRIVER=haproxy, files under the state dir): a real worker provisions it (the 'being prepared'
// page while it has no deployment, then its site through HAProxy), staff suspend it (maintenance page) and resume it, and deprovisioning
// takes its names off the load balancer.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { getFromEdge } from "./helpers/raw-http";
import { freePort } from "@/server/net/free-port";
import { useEdgeAndWorker } from "./helpers/edge-and-worker";
import { isolatedDatabase } from "./helpers/isolated-database";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

const HAPROXY = HAPROXY_BIN;
const skipWithoutHaproxy = skipWithout("haproxy");

await isolatedDatabase();
// Before anything reads the configuration: this file's worker and steps use HAProxy.
const httpPort = await freePort();
process.env.LOAD_BALANCER_DRIVER = "haproxy";
process.env.HAPROXY_BIN = HAPROXY;
process.env.HAPROXY_HTTP_PORT = String(httpPort);
process.env.HAPROXY_HTTPS_PORT = String(await freePort());

const { infra } = await import("@/server/infra");
const { MAINTENANCE_PAGE_MARKER, PREPARING_PAGE_MARKER } = await import("@/server/infra/load-balancer/pages");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { checkoutAtStripe, deliver } = await import("./helpers/billing");
const { injectFault, waitForStatus } = await import("./helpers/instances");

const get = (host: string, urlPath = "/") => getFromEdge(httpPort, host, urlPath);

describe.skipIf(skipWithoutHaproxy)("an instance's life behind HAProxy", () => {
  const edge = useEdgeAndWorker();

  it("is prepared, served, suspended, resumed and removed through the load balancer", async () => {
    expect(infra().frontDoor.name).toBe("load-balancer (haproxy)");
    const owner = await makeVerifiedUser();
    const staff = await makeUser("staff");
    const subdomain = `lbl-${uniqueSuffix()}`;
    const host = `${subdomain}.localhost`;
    const instance = await registerInstance(owner, { name: "Balanced Academy", subdomain });
    // Provisioning stops at the boot step the first time: the instance has no deployment yet.
    await injectFault({ instanceId: instance.id, step: "boot_server", message: "no capacity left" });
    await deliver(await checkoutAtStripe(instance, owner));
    await waitForStatus(instance.id, "failed");
    const preparing = await get(host);
    expect(preparing.status).toBe(503);
    expect(preparing.body).toContain(PREPARING_PAGE_MARKER);

    await apiAs(owner).instances.retry({ id: instance.id });
    await waitForStatus(instance.id, "running");
    const site = await get(`studio-${host}`);
    expect(site.status).toBe(200);
    expect(await get(host)).toMatchObject({ status: 200, body: expect.stringContaining("Balanced Academy") });

    await apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "lifecycle test" });
    await waitForStatus(instance.id, "suspended");
    const suspended = await get(host);
    expect(suspended.status).toBe(503);
    expect(suspended.body).toContain(MAINTENANCE_PAGE_MARKER);

    await apiAs(staff).staff.resume({ instanceId: instance.id, reason: "lifecycle test" });
    await waitForStatus(instance.id, "running");
    expect(await get(host)).toMatchObject({ status: 200, body: expect.stringContaining("Balanced Academy") });

    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: subdomain, reason: "lifecycle test" });
    await waitForStatus(instance.id, "deprovisioned");
    const map = await readFile(`${edge.haproxy().paths.current}/hosts.map`, "utf8");
    expect(map).not.toContain(host);
    expect(await readFile(edge.haproxy().paths.currentConfig, "utf8")).not.toContain(instance.id);
  });
});
