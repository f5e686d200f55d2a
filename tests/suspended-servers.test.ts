// An instance suspended past its grace (SUSPENDED_SERVERS_STOP_AFTER_DAYS) behind a real HAProxy, on the local
// compute driver: the sweep stops its site process while HAProxy keeps showing the maintenance page, and resuming
// starts the process again (on another port when the old one was taken meanwhile) and routes the site to it.
import net from "node:net";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getFromEdge } from "./helpers/raw-http";
import { freePort } from "@/server/net/free-port";
import { useEdgeAndWorker } from "./helpers/edge-and-worker";
import { isolatedDatabase } from "./helpers/isolated-database";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

await isolatedDatabase();
// Before anything reads the configuration: this file's worker and steps use HAProxy.
const httpPort = await freePort();
process.env.LOAD_BALANCER_DRIVER = "haproxy";
process.env.HAPROXY_BIN = HAPROXY_BIN;
process.env.HAPROXY_HTTP_PORT = String(httpPort);
process.env.HAPROXY_HTTPS_PORT = String(await freePort());

const { db } = await import("@/db");
const { deployments, instanceEvents, instanceOperations, instances } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { MAINTENANCE_PAGE_MARKER } = await import("@/server/infra/load-balancer/pages");
const { stopServersOfLongSuspendedInstances } = await import("@/server/instances/suspended-servers");
const { transitionInstance } = await import("@/server/instances/lifecycle");
const { startApplyingChanges } = await import("@/server/instances/apply-changes");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { createInstance, makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { checkoutAtStripe, deliver } = await import("./helpers/billing");
const { instanceRow, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

const DAY_MS = 24 * 60 * 60 * 1000;
const GRACE_DAYS = env().SUSPENDED_SERVERS_STOP_AFTER_DAYS;

const get = (host: string) => getFromEdge(httpPort, host);

const heartbeat = (address: string) => fetch(`http://${address}/heartbeat`).then((response) => response.status, () => null);

async function activeDeploymentOf(instanceId: string) {
  const instance = await instanceRow(instanceId);
  return (await db.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId!) }))!;
}

async function succeededSuspensions(instanceId: string, count: number) {
  return eventually(async () => {
    const rows = await db
      .select()
      .from(instanceOperations)
      .where(and(eq(instanceOperations.instanceId, instanceId), eq(instanceOperations.kind, "suspend"), eq(instanceOperations.status, "succeeded")));
    return rows.length >= count ? rows : undefined;
  }, 60_000, `${count} suspend operations of ${instanceId} to succeed`);
}

describe.skipIf(skipWithout("haproxy"))("the servers of an instance suspended past its grace", () => {
  useEdgeAndWorker();

  it("stops them while the maintenance page stays, and starts and routes them again on resume", async () => {
    const owner = await makeVerifiedUser();
    const staff = await makeUser("staff");
    const subdomain = `shelf-${uniqueSuffix()}`;
    const host = `${subdomain}.localhost`;
    const instance = await registerInstance(owner, { name: "Shelved Academy", subdomain });
    await deliver(await checkoutAtStripe(instance, owner));
    await waitForStatus(instance.id, "running");
    await apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "shelving test" });
    await waitForStatus(instance.id, "suspended");
    const before = await activeDeploymentOf(instance.id);
    expect(before.serverStoppedAt).toBeNull();
    expect(await heartbeat(before.address!)).toBe(200);

    // Within the grace the sweep leaves it running.
    expect((await stopServersOfLongSuspendedInstances(db, GRACE_DAYS, new Date())).started).not.toContain(instance.id);
    await db
      .update(instances)
      .set({ maintenancePageSince: new Date(Date.now() - (GRACE_DAYS * DAY_MS + 60_000)) })
      .where(eq(instances.id, instance.id));
    expect((await stopServersOfLongSuspendedInstances(db, GRACE_DAYS, new Date())).started).toEqual([instance.id]);
    // The staff's suspension, then the sweep's.
    await succeededSuspensions(instance.id, 2);
    expect((await activeDeploymentOf(instance.id)).serverStoppedAt).toBeInstanceOf(Date);
    await eventually(async () => ((await heartbeat(before.address!)) === null ? true : undefined), 10_000, "the site process to end");
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id));
    expect(events.map((event) => event.message)).toContainEqual(expect.stringContaining(`Servers stopped after ${GRACE_DAYS} day(s) suspended`));
    expect(await get(host)).toMatchObject({ status: 503, body: expect.stringContaining(MAINTENANCE_PAGE_MARKER) });
    expect((await instanceRow(instance.id)).status).toBe("suspended");
    // Stopped already: the next sweep has nothing to do.
    expect((await stopServersOfLongSuspendedInstances(db, GRACE_DAYS, new Date())).started).toEqual([]);

    // A settings change while stopped (a plan change does the same) reaches the server when it starts.
    await db.update(instances).set({ name: "Renamed Academy" }).where(eq(instances.id, instance.id));
    const reconfigure = await startApplyingChanges(db, { instanceId: instance.id, initiator: "system", reason: "shelving test" });
    await eventually(async () => {
      const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, reconfigure.id) });
      if (row?.status === "failed") throw new Error(`the reconfiguration failed: ${row.error}`);
      return row?.status === "succeeded" ? row : undefined;
    }, 60_000, "the reconfiguration to succeed");

    // Something else takes the old port meanwhile: the process comes back elsewhere and HAProxy follows it.
    const squatter = net.createServer();
    const [, oldPort] = before.address!.split(":");
    await new Promise<void>((resolve) => squatter.listen(Number(oldPort), "127.0.0.1", resolve));
    try {
      await apiAs(staff).staff.resume({ instanceId: instance.id, reason: "shelving test" });
      await waitForStatus(instance.id, "running");
    } finally {
      squatter.close();
    }
    const after = await activeDeploymentOf(instance.id);
    expect(after.serverStoppedAt).toBeNull();
    expect(after.address).not.toBe(before.address);
    expect(await heartbeat(after.address!)).toBe(200);
    expect(await get(host)).toMatchObject({ status: 200, body: expect.stringContaining("Renamed Academy") });
  });

  it("skips an instance within its grace and one busy with another operation", async () => {
    const owner = await makeVerifiedUser();
    async function suspendedSince(since: Date) {
      const instance = await createInstance(owner.id, { name: "Idle Academy", subdomain: `idle-${uniqueSuffix()}`, plan: "starter" });
      for (const to of ["queued", "provisioning", "running", "suspended"] as const) await transitionInstance(db, instance.id, to, { message: `test: ${to}` });
      const [deployment] = await db
        .insert(deployments)
        .values({ instanceId: instance.id, status: "running", computeDriver: "local", serverId: `local-${instance.id}`, address: "127.0.0.1:9" })
        .returning();
      await db.update(instances).set({ activeDeploymentId: deployment!.id, maintenancePageSince: since }).where(eq(instances.id, instance.id));
      return instance;
    }
    const now = new Date();
    const fresh = await suspendedSince(new Date(now.getTime() - (GRACE_DAYS * DAY_MS - 60_000)));
    const busy = await suspendedSince(new Date(now.getTime() - (GRACE_DAYS * DAY_MS + 60_000)));
    // A backup is under way (its job is not queued here: only the row matters to the sweep).
    await db.insert(instanceOperations).values({ instanceId: busy.id, kind: "backup", status: "running", initiator: "system" });

    const { started, deferred } = await stopServersOfLongSuspendedInstances(db, GRACE_DAYS, now);
    expect(started).not.toContain(fresh.id);
    expect(started).not.toContain(busy.id);
    expect(deferred).toEqual([busy.id]);
    const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, busy.id));
    expect(operations.map((operation) => operation.kind)).toEqual(["backup"]);
  });
});
