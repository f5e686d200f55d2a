// An OVH VM is still building when its operation ends (cancelled here; a timeout or a dead worker ends the wait
// the same way). If the server is recorded only after it is ACTIVE, the ledger never hears of it and the
// deprovision that walks the ledger leaves it running and billed. And when reconcile_compute replaces a server
// that died, the replacement must be in the ledger too, or reconcile calls the live server an orphan and its
// clean-up destroys it. Real runner, real OVH driver through the `ovh` client, the loopback OVH API
// (tests/helpers/fake-ovh.ts) behind the fault proxy, on this file's own Postgres; one cancel comes while the API has
// stopped answering. Pass line: no server left on OVH after the cancel and
// the deprovision; the replaced VM is in the ledger and survives reconcile's clean-up.
import { eq } from "drizzle-orm";
import type { Task } from "graphile-worker";
import { afterAll, describe, expect, it } from "vitest";
import type { Instance } from "@/db/schema";
import { startFaultProxy } from "../helpers/fault-proxy";
import { startOvhForBoots } from "../helpers/ovh-boot";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();

// The VM stays in BUILD for a minute: far longer than the test waits before cancelling.
const fake = await startOvhForBoots({ buildMs: 60_000 });
// Lyceum reaches the loopback OVH API through the fault proxy, so a test can make the API stop answering.
const ovhApi = await startFaultProxy({ host: "127.0.0.1", port: Number(new URL(fake.endpoint).port) });
process.env.OVH_ENDPOINT = `https://127.0.0.1:${ovhApi.port}/1.0`;
// A request the black-holed API never answers fails at this limit (the `ovh` package cannot withdraw it sooner).
process.env.DRIVER_CALL_TIMEOUT_SECONDS = "5";

const { db, closeDb } = await import("@/db");
const { deployments, instanceOperations, instanceResources, instances } = await import("@/db/schema");
const { runOperation } = await import("@/jobs/runner/runner");
const { bootServer, stopApplicationServers } = await import("@/jobs/steps/deployment");
const { reconcile_compute } = await import("@/jobs/tasks/reconcile_compute");
const { env } = await import("@/server/env");
const { closeInfrastructure, infra } = await import("@/server/infra");
const { ledgerFor } = await import("@/server/instances/ledger");
const { cleanUpOrphans } = await import("@/server/reconcile/cleanup");
const { reconcileResources } = await import("@/server/reconcile/run");
const { registeredInstance } = await import("../helpers/instances");
const { storedDeployment } = await import("../helpers/sample-deployment");
const { eventually } = await import("../helpers/waiting");

afterAll(async () => {
  await ovhApi.close();
  await fake.stop();
  await closeInfrastructure();
  await closeDb();
});

const noop = async () => {};
const provision = { kind: "provision" as const, steps: [bootServer], onStart: noop, onSuccess: noop, onFailure: noop };
const deprovision = { kind: "deprovision" as const, steps: [stopApplicationServers], onStart: noop, onSuccess: noop, onFailure: noop };

async function startedOperation(instanceId: string, kind: "provision" | "deprovision") {
  const [operation] = await db.insert(instanceOperations).values({ instanceId, kind, status: "queued" }).returning();
  return operation!;
}

/** What the config step leaves for boot_server: a deployment with a complete configuration (sample data services). */
async function preparedDeployment(instance: Instance, operationId: string | null) {
  const [deployment] = await db
    .insert(deployments)
    .values({ ...storedDeployment(instance), instanceId: instance.id, operationId, computeDriver: "ovh" })
    .returning();
  return deployment!;
}

async function operationRow(id: string) {
  return (await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, id) }))!;
}

const ourVms = () => [...fake.instances.values()];

describe("an operation that ends while its VM is building", () => {
  it("has recorded the VM, so the deprovision that follows deletes it and leaves nothing on OVH", async () => {
    const { instance } = await registeredInstance();
    const operation = await startedOperation(instance.id, "provision");
    await preparedDeployment(instance, operation.id);
    const running = runOperation(provision, operation.id, { number: 1, maxAttempts: 3 });
    // OVH has the VM and is building it; the owner cancels meanwhile.
    const vm = await eventually(async () => ourVms().find((candidate) => candidate.status === "BUILD"), 20_000, "a VM in BUILD");
    await db.update(instanceOperations).set({ cancelRequestedAt: new Date() }).where(eq(instanceOperations.id, operation.id));
    await running;
    expect(await operationRow(operation.id)).toMatchObject({ status: "cancelled" });
    expect(fake.instances.get(vm.id)?.status).toBe("BUILD");

    const teardown = await startedOperation(instance.id, "deprovision");
    await runOperation(deprovision, teardown.id, { number: 1, maxAttempts: 3 });
    expect(await operationRow(teardown.id)).toMatchObject({ status: "succeeded" });
    // Deleted by the deprovision because the ledger knew it.
    expect(fake.instances.has(vm.id)).toBe(false);
    expect(await ledgerFor(db, instance.id).list("compute.server")).toEqual([]);
  });
});

describe("an operation cancelled while its VM is building and the OVH API has stopped answering", () => {
  it("ends cancelled all the same, with the VM in the ledger, and once the API answers again the deprovision deletes it", { timeout: 60_000 }, async () => {
    const { instance } = await registeredInstance();
    const operation = await startedOperation(instance.id, "provision");
    await preparedDeployment(instance, operation.id);
    const running = runOperation(provision, operation.id, { number: 1, maxAttempts: 3 });
    const vm = await eventually(async () => ourVms().find((candidate) => candidate.status === "BUILD"), 20_000, "a VM in BUILD");
    // The API goes silent mid-wait (accepts, never answers); the owner cancels meanwhile.
    ovhApi.blackhole();
    await db.update(instanceOperations).set({ cancelRequestedAt: new Date() }).where(eq(instanceOperations.id, operation.id));
    await running;
    expect(await operationRow(operation.id)).toMatchObject({ status: "cancelled" });
    expect(await ledgerFor(db, instance.id).list("compute.server")).toEqual([expect.objectContaining({ externalId: vm.id })]);

    // The link heals; the connections the partition swallowed are reset, as a firewall that forgot them answers.
    // (Left open, a kept-alive socket among them costs the next request its whole limit: one failed attempt.)
    ovhApi.drop();
    ovhApi.pass();
    const teardown = await startedOperation(instance.id, "deprovision");
    await runOperation(deprovision, teardown.id, { number: 1, maxAttempts: 3 });
    expect(await operationRow(teardown.id)).toMatchObject({ status: "succeeded" });
    expect(fake.instances.has(vm.id)).toBe(false);
    expect(await ledgerFor(db, instance.id).list("compute.server")).toEqual([]);
  });
});

describe("a server that reconcile_compute brings back", () => {
  it("is in the ledger in place of the dead one, and reconcile's clean-up leaves it running", async () => {
    const { instance } = await registeredInstance();
    // A running instance whose active deployment's VM is recorded, then dies behind Lyceum's back.
    const deployment = await preparedDeployment(instance, null);
    const ledger = ledgerFor(db, instance.id);
    await ledger.record("compute.server", "vm-that-died", { driver: "ovh", deploymentId: deployment.id, address: "203.0.113.9:80" });
    await db.update(deployments).set({ serverId: "vm-that-died", address: "203.0.113.9:80" }).where(eq(deployments.id, deployment.id));
    await db.update(deployments).set({ status: "running" }).where(eq(deployments.id, deployment.id));
    await db.update(instances).set({ status: "running", activeDeploymentId: deployment.id }).where(eq(instances.id, instance.id));

    // The replacement builds quickly enough for the task to wait on it.
    const building = (reconcile_compute as Task)({}, { logger: { info: () => {}, error: () => {} }, abortSignal: undefined } as never);
    const replacement = await eventually(async () => ourVms().find((vm) => vm.name.endsWith(deployment.id)), 20_000, "the replacement VM");
    replacement.status = "ACTIVE";
    replacement.ipAddresses = [{ ip: "203.0.113.77", type: "public", version: 4, networkId: "ext-net", gatewayIp: "203.0.113.1" }];
    await building;

    expect((await db.query.deployments.findFirst({ where: eq(deployments.id, deployment.id) }))!.serverId).toBe(replacement.id);
    const live = await ledger.list("compute.server");
    expect(live.map((entry) => entry.externalId)).toEqual([replacement.id]);
    expect(live[0]!.details).toMatchObject({ driver: "ovh", deploymentId: deployment.id, address: "203.0.113.77:80" });
    const old = await db.query.instanceResources.findFirst({ where: eq(instanceResources.externalId, "vm-that-died") });
    expect(old!.deletedAt).not.toBeNull();

    const report = await reconcileResources(db, infra(), env(), { trigger: "staff" });
    expect(report.orphans.filter((orphan) => orphan.kind === "compute.server")).toEqual([]);
    await cleanUpOrphans(db, infra(), env(), report.id);
    expect(fake.instances.get(replacement.id)?.status).toBe("ACTIVE");
  });
});
