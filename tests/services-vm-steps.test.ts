// The services VM's pipeline steps with the OVH driver against the loopback OVH API (tests/helpers/fake-ovh.ts): a
// plan with `servicesVmFlavor` boots it once per instance and records it in the instance's ledger before the wait;
// the deployment's configuration takes its address; reconcile lists it under its own ledger kind; deprovision
// deletes it. A plan without the option makes none.
import https from "node:https";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startFakeOvh } from "./helpers/fake-ovh";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { instances } = await import("@/db/schema");
const { ensureServicesServer, removeServicesServer, servicesHostOf } = await import("@/jobs/steps/services-server");
const { createOvhApi } = await import("@/server/infra/compute/ovh/api-client");
const { createOvhComputeDriver } = await import("@/server/infra/compute/ovh/public-cloud");
const { renderServicesUserData } = await import("@/server/infra/compute/cloud-init/services-vm");
const { computeInventories } = await import("@/server/reconcile/inventories/compute");
const { env } = await import("@/server/env");
const { makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { createInstance } = await import("./helpers/registration");
const { stepContext } = await import("./helpers/step-context");

const credentials = { applicationKey: "lyceum-app-key", applicationSecret: "lyceum-app-secret", consumerKey: "lyceum-consumer-key" };
const projectId = "0123456789abcdef0123456789abcdef";
const region = "GRA11";
let fake: Awaited<ReturnType<typeof startFakeOvh>>;
const previousCa = https.globalAgent.options.ca;

beforeAll(async () => {
  fake = await startFakeOvh({ credentials, projectId, regions: [region], buildReads: 1, flavors: [{ name: "b3-8", region }] });
  https.globalAgent.options.ca = fake.certificate;
});

afterAll(async () => {
  https.globalAgent.options.ca = previousCa;
  await fake?.close();
  await closeDb();
});

const compute = () =>
  createOvhComputeDriver(createOvhApi({ endpoint: fake.endpoint, ...credentials }), {
    projectId,
    region,
    imageId: "image-ubuntu-2404",
    sshKeyId: "ssh-key-staff",
    resourcePrefix: "lyt",
    renderUserData: () => "#cloud-config\n",
    renderServicesUserData: (spec) => renderServicesUserData(spec, { clientCidr: "10.10.0.0/16" }),
    pollIntervalMs: 10,
  });

async function instanceOnPlan(plan: "starter" | "scale") {
  const owner = await makeUser();
  const created = await createInstance(owner.id, { name: "Services School", subdomain: `svc-${uniqueSuffix()}`, plan });
  const [instance] = await db.update(instances).set({ status: "provisioning" }).where(eq(instances.id, created.id)).returning();
  return instance!;
}

const creations = () => fake.calls.filter((call) => call.method === "POST" && call.path === `/cloud/project/${projectId}/instance`).length;

describe("the services VM steps (OVH, contract-tested)", () => {
  it("boot it once for a plan that has one, record it, point the configuration at it, reconcile it and delete it", async () => {
    const driver = compute();
    const instance = await instanceOnPlan("scale");
    const ctx = await stepContext(instance, { compute: driver });

    expect(await ensureServicesServer.run(ctx)).toMatch(/^started services server \S+ \(b3-8\) at 203\.0\.113\.\d+$/);
    const [entry, ...more] = await ctx.ledger.list("compute.services_server");
    expect(more).toEqual([]);
    expect(entry!.details).toEqual({ driver: "ovh", flavor: "b3-8", address: expect.stringMatching(/^203\.0\.113\.\d+$/) });
    expect(fake.instances.get(entry!.externalId)!.name).toBe(`lyt-services-${instance.id}`);
    expect(await servicesHostOf(ctx)).toBe(entry!.details.address);

    // A redeploy keeps it.
    const before = creations();
    expect(await ensureServicesServer.run(ctx)).toMatch(/was already up/);
    expect(creations()).toBe(before);

    // Reconcile compares it with its own ledger kind, not with the application servers.
    const inventories = computeInventories({ compute: driver } as never, env())!;
    const services = inventories.find((inventory) => inventory.kind === "compute.services_server")!;
    expect(await services.list()).toEqual([entry!.externalId]);
    expect(await inventories.find((inventory) => inventory.kind === "compute.server")!.list()).not.toContain(entry!.externalId);

    expect(await removeServicesServer.run(ctx)).toBe("removed 1 services server");
    expect(fake.instances.has(entry!.externalId)).toBe(false);
    expect(await ctx.ledger.list("compute.services_server")).toEqual([]);
    expect(await removeServicesServer.run(ctx)).toBe("no services server was recorded");
  });

  it("make none for a plan without the option", async () => {
    const instance = await instanceOnPlan("starter");
    const ctx = await stepContext(instance, { compute: compute() });
    const before = creations();
    expect(await ensureServicesServer.run(ctx)).toMatch(/^skipped: the Starter plan runs memcached and Elasticsearch on the application server$/);
    expect(creations()).toBe(before);
    expect(await servicesHostOf(ctx)).toBeUndefined();
  });
});
