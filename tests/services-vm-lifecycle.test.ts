// The services VM through an instance's life, with a real worker and HAProxy: application servers are local site
// processes that read their configuration at boot only (as an OVH VM does), the services VM is an OVH VM on the
// loopback OVH API (tests/helpers/fake-ovh.ts). A suspension past its grace shelves the services VM with the
// application servers; a resume unshelves it, and when it comes back on another IP a deployment rendered with the
// new one takes over before the site is served again. A plan change away from the services VM deletes it after the
// switch; one to it boots it before the new deployment is rendered. Reconcile finds no orphan afterwards.
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freePort } from "@/server/net/free-port";
import { getFromEdge } from "./helpers/raw-http";
import { useEdgeAndWorker } from "./helpers/edge-and-worker";
import { isolatedDatabase } from "./helpers/isolated-database";
import https from "node:https";
import { startFakeOvh } from "./helpers/fake-ovh";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

await isolatedDatabase();
// Before anything reads the configuration: HAProxy shows the maintenance page (so stopped servers may stop).
const httpPort = await freePort();
process.env.LOAD_BALANCER_DRIVER = "haproxy";
process.env.HAPROXY_BIN = HAPROXY_BIN;
process.env.HAPROXY_HTTP_PORT = String(httpPort);
process.env.HAPROXY_HTTPS_PORT = String(await freePort());
// The application servers stay local (COMPUTE_DRIVER unset): only the services VMs are made on the OVH API.
const credentials = { applicationKey: "lyceum-app-key", applicationSecret: "lyceum-app-secret", consumerKey: "lyceum-consumer-key" };
const projectId = "0123456789abcdef0123456789abcdef";
const region = "GRA11";
const ovh = await startFakeOvh({ credentials, projectId, regions: [region], buildReads: 1, flavors: [{ name: "b3-8", region }] });
const previousCa = https.globalAgent.options.ca;
https.globalAgent.options.ca = ovh.certificate;

const { db } = await import("@/db");
const { deployments, instanceEvents, instanceOperations, instances } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { infra, setInfrastructure } = await import("@/server/infra");
const { ServerCannotBeReconfiguredError } = await import("@/server/infra/compute/driver");
const { createOvhApi } = await import("@/server/infra/compute/ovh/api-client");
const { createOvhComputeDriver } = await import("@/server/infra/compute/ovh/public-cloud");
const { renderServicesUserData } = await import("@/server/infra/compute/cloud-init/services-vm");
const { MAINTENANCE_PAGE_MARKER } = await import("@/server/infra/load-balancer/pages");
const { ledgerFor } = await import("@/server/instances/ledger");
const { stopServersOfLongSuspendedInstances } = await import("@/server/instances/suspended-servers");
const { reconcileResources } = await import("@/server/reconcile/run");
const { changeLocalPlan, localSubscriptionId } = await import("@/server/billing/local/simulator");
const { planById } = await import("@/server/billing/plans");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { atStripe, checkoutAtStripe, deliver } = await import("./helpers/billing");
const { injectFault, instanceRow, waitForStatus } = await import("./helpers/instances");
const { makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { eventually } = await import("./helpers/waiting");
const { afterAll } = await import("vitest");

const DAY_MS = 24 * 60 * 60 * 1000;
const GRACE_DAYS = env().SUSPENDED_SERVERS_STOP_AFTER_DAYS;

/** Local application servers that cannot be changed while running, and OVH services VMs, as one compute driver. */
function localServersWithOvhServicesVm() {
  const local = infra().compute;
  const services = createOvhComputeDriver(
    createOvhApi({ endpoint: ovh.endpoint, ...credentials }),
    {
      projectId,
      region,
      imageId: "image-ubuntu-2404",
      sshKeyId: "ssh-key-staff",
      resourcePrefix: env().LYCEUM_RESOURCE_PREFIX,
      renderUserData: () => "#cloud-config\n",
      renderServicesUserData: (spec) => renderServicesUserData(spec, { clientCidr: "10.10.0.0/16" }),
      pollIntervalMs: 10,
    },
  );
  const isLocal = (serverId: string) => serverId.startsWith("local-");
  const compute = Object.assign(Object.create(local) as typeof local, {
    canReconfigureInPlace: false,
    reconfigureServer: async (serverId: string) => {
      throw new ServerCannotBeReconfiguredError(local.name, serverId);
    },
    ensureServicesServer: services.ensureServicesServer.bind(services),
    listServicesServers: services.listServicesServers.bind(services),
    stopServer: (serverId: string, signal?: AbortSignal) => (isLocal(serverId) ? local.stopServer(serverId, signal) : services.stopServer(serverId, signal)),
    startServer: (serverId: string, signal: AbortSignal) => (isLocal(serverId) ? local.startServer(serverId, signal) : services.startServer(serverId, signal)),
    destroyServer: (serverId: string, signal?: AbortSignal) => (isLocal(serverId) ? local.destroyServer(serverId, signal) : services.destroyServer(serverId, signal)),
  });
  setInfrastructure({ ...infra(), compute });
}

const get = (host: string) => getFromEdge(httpPort, host);

async function operationSucceeds(instanceId: string, kind: string, count = 1) {
  return eventually(async () => {
    const rows = await db.select().from(instanceOperations).where(and(eq(instanceOperations.instanceId, instanceId), eq(instanceOperations.kind, kind as never)));
    const failed = rows.find((row) => row.status === "failed" || row.status === "cancelled");
    if (failed) throw new Error(`the ${kind} did not succeed: ${failed.error}`);
    return rows.filter((row) => row.status === "succeeded").length >= count ? rows : undefined;
  }, 90_000, `${count} ${kind} operation(s) of ${instanceId} to succeed`);
}

async function activeDeploymentOf(instanceId: string) {
  const instance = await instanceRow(instanceId);
  return (await db.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId!) }))!;
}

async function runningOnPlan(plan: "starter" | "scale") {
  const owner = await makeVerifiedUser();
  const subdomain = `svcvm-${uniqueSuffix()}`;
  const registered = await registerInstance(owner, { name: "Services Academy", subdomain, plan });
  await deliver(await checkoutAtStripe(registered, owner));
  const instance = await waitForStatus(registered.id, "running", 90_000);
  return { instance, host: `${subdomain}.localhost` };
}

const servicesVmsOf = async (instanceId: string) => ledgerFor(db, instanceId).list("compute.services_server");
const vmNamed = (instanceId: string) => [...ovh.instances.values()].find((vm) => vm.name === `${env().LYCEUM_RESOURCE_PREFIX}-services-${instanceId}`);

/** What reconcile finds of this instance's servers that the ledger does not match (both ways). */
async function mismatchesOf(instanceId: string) {
  const report = await reconcileResources(db, infra(), env(), { trigger: "staff" });
  const isCompute = (kind: string) => kind.startsWith("compute.");
  const ours = new Set([...ovh.instances.keys()]);
  return {
    orphans: (report.orphans ?? []).filter((orphan) => isCompute(orphan.kind) && (orphan.instanceId === instanceId || ours.has(orphan.externalId))),
    ghosts: (report.ghosts ?? []).filter((ghost) => isCompute(ghost.kind) && ghost.instanceId === instanceId),
  };
}

async function changePlan(instanceId: string, plan: "growth" | "scale") {
  await deliver(await atStripe((tx) => changeLocalPlan(tx, localSubscriptionId(instanceId), planById(plan))));
}

afterAll(async () => {
  https.globalAgent.options.ca = previousCa;
  await ovh.close();
});

describe.skipIf(skipWithout("haproxy"))("an instance's services VM", () => {
  useEdgeAndWorker({ beforeStart: localServersWithOvhServicesVm });

  it("is shelved with the suspended instance's servers, and a resume on its new IP serves a deployment pointed at it", async () => {
    const staff = await makeUser("staff");
    const { instance, host } = await runningOnPlan("scale");
    const [services] = await servicesVmsOf(instance.id);
    const before = await activeDeploymentOf(instance.id);
    expect(before.config?.servicesHost).toBe(services!.details.address);

    await apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "services VM test" });
    await waitForStatus(instance.id, "suspended");
    await db.update(instances).set({ maintenancePageSince: new Date(Date.now() - (GRACE_DAYS * DAY_MS + 60_000)) }).where(eq(instances.id, instance.id));
    expect((await stopServersOfLongSuspendedInstances(db, GRACE_DAYS, new Date())).started).toEqual([instance.id]);
    await operationSucceeds(instance.id, "suspend", 2);
    expect(vmNamed(instance.id)!.status).toBe("SHELVED_OFFLOADED");
    expect(await get(host)).toMatchObject({ status: 503, body: expect.stringContaining(MAINTENANCE_PAGE_MARKER) });

    // OVH gives it another public IP when it comes back. The first resume fails once the new deployment answers
    // (before the switch): that deployment goes, the maintenance page stays, and the next resume tries again.
    ovh.moveOnUnshelveOf(vmNamed(instance.id)!.name);
    await injectFault({ instanceId: instance.id, operationKind: "resume", step: "wait_heartbeat", phase: "after", message: "the switch is refused" });
    await apiAs(staff).staff.resume({ instanceId: instance.id, reason: "services VM test" });
    const failedResume = await eventually(async () => {
      const row = await db.query.instanceOperations.findFirst({ where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "resume")) });
      return row?.status === "failed" ? row : undefined;
    }, 90_000, "the first resume to fail");
    const abandoned = (await db.query.deployments.findFirst({ where: eq(deployments.operationId, failedResume.id) }))!;
    expect(abandoned).toMatchObject({ status: "terminated" });
    expect(await ledgerFor(db, instance.id).list("compute.server")).not.toContainEqual(expect.objectContaining({ details: expect.objectContaining({ deploymentId: abandoned.id }) }));
    expect((await instanceRow(instance.id)).status).toBe("suspended");
    expect((await activeDeploymentOf(instance.id)).id).toBe(before.id);
    expect(await get(host)).toMatchObject({ status: 503, body: expect.stringContaining(MAINTENANCE_PAGE_MARKER) });

    await apiAs(staff).staff.resume({ instanceId: instance.id, reason: "services VM test" });
    await waitForStatus(instance.id, "running", 90_000);

    expect(vmNamed(instance.id)!.status).toBe("ACTIVE");
    const [moved, ...more] = await servicesVmsOf(instance.id);
    expect(more).toEqual([]);
    expect(moved!.externalId).toBe(services!.externalId);
    expect(moved!.details.address).not.toBe(services!.details.address);
    expect(moved!.details.address).toBe(vmNamed(instance.id)!.ipAddresses.find((ip) => ip.version === 4)!.ip);
    // The serving deployment is a new one, rendered with the address the services VM has now.
    const after = await activeDeploymentOf(instance.id);
    expect(after.id).not.toBe(before.id);
    expect(after.config?.servicesHost).toBe(moved!.details.address);
    expect(await get(host)).toMatchObject({ status: 200 });
    expect(await mismatchesOf(instance.id)).toEqual({ orphans: [], ghosts: [] });
  }, 180_000);

  it("is deleted after a plan change away from it has switched to the new deployment, and made before one to it", async () => {
    const { instance, host } = await runningOnPlan("scale");
    const [services] = await servicesVmsOf(instance.id);
    const vmId = services!.externalId;

    await changePlan(instance.id, "growth");
    await operationSucceeds(instance.id, "redeploy");
    const redeploy = (await db.query.instanceOperations.findFirst({
      where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")),
    }))!;
    const active = await activeDeploymentOf(instance.id);
    expect(active.config).toMatchObject({ plan: "growth" });
    expect(active.config?.servicesHost).toBeUndefined();
    expect(ovh.instances.has(vmId)).toBe(false);
    expect(await servicesVmsOf(instance.id)).toEqual([]);
    // Deleted only after the new deployment took the traffic: until then the old one used it.
    const steps = await db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.operationId, redeploy.id), eq(instanceEvents.kind, "step_succeeded")))
      .orderBy(instanceEvents.id);
    const order = steps.map((event) => event.step);
    expect(order.indexOf("remove_unneeded_services_server")).toBeGreaterThan(order.indexOf("activate_deployment"));
    expect(steps.find((event) => event.step === "remove_unneeded_services_server")!.message).toContain("removed 1 services server");
    expect(await get(host)).toMatchObject({ status: 200 });
    expect(await mismatchesOf(instance.id)).toEqual({ orphans: [], ghosts: [] });

    // Back to the plan with one: it boots before the new deployment is rendered, which points at it.
    await changePlan(instance.id, "scale");
    await operationSucceeds(instance.id, "redeploy", 2);
    const [again, ...more] = await servicesVmsOf(instance.id);
    expect(more).toEqual([]);
    expect(ovh.instances.get(again!.externalId)!.status).toBe("ACTIVE");
    expect((await activeDeploymentOf(instance.id)).config).toMatchObject({ plan: "scale", servicesHost: again!.details.address });
    expect(await mismatchesOf(instance.id)).toEqual({ orphans: [], ghosts: [] });
  }, 180_000);
});
