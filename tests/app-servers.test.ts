// N application servers per deployment, against a real worker and real local site processes: a Growth instance
// runs its plan's two, each booted, healthy, in the ledger and behind the load balancer; staff set another number
// (audited), a redeploy brings that many up beside the old set, and deprovisioning removes every one.
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { auditLog, deploymentServers, deployments, instanceOperations, instanceResources } = await import("@/db/schema");
const { loadBalancerStateFromDb } = await import("@/server/infra/load-balancer/state-from-db");
const { selfSignedPemPair } = await import("@/server/infra/load-balancer/default-certificate");
const { apiAs, makeUser } = await import("./helpers/accounts");
const { instanceRow, pay, waitForStatus } = await import("./helpers/instances");
const { createInstance, makeVerifiedUser } = await import("./helpers/registration");
const { uniqueSuffix } = await import("./helpers/accounts");
const { eventually } = await import("./helpers/waiting");
const { checkAppServers } = await import("@/server/deployments/app-server-health");
const { readFileSync } = await import("node:fs");
const path = await import("node:path");
const { localCompute: compute, runWorkerForThisFile } = await import("./helpers/file-worker");

runWorkerForThisFile();

async function serversOf(deploymentId: string) {
  return db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, deploymentId)).orderBy(deploymentServers.serverIndex);
}

async function recordedServers(instanceId: string) {
  return db
    .select()
    .from(instanceResources)
    .where(and(eq(instanceResources.instanceId, instanceId), eq(instanceResources.kind, "compute.server"), isNull(instanceResources.deletedAt)));
}

async function finished(operationId: string) {
  return eventually(async () => {
    const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) });
    return row && ["succeeded", "failed", "cancelled"].includes(row.status) ? row : undefined;
  }, 90_000, `operation ${operationId} to finish`);
}

const heartbeatOf = async (address: string) => (await fetch(`http://${address}/heartbeat`)).json() as Promise<{ status: string; server: string }>;

describe("application servers", () => {
  it("provisions a Growth instance on its plan's two servers, each healthy, recorded and behind the load balancer", async () => {
    const owner = await makeVerifiedUser();
    const instance = await createInstance(owner.id, { name: "Two Server School", subdomain: `two-${uniqueSuffix()}`, plan: "growth" });
    await pay(instance.id);
    const running = await waitForStatus(instance.id, "running", 90_000);
    const deployment = (await db.query.deployments.findFirst({ where: eq(deployments.id, running.activeDeploymentId!) }))!;
    expect(deployment.serverCount).toBe(2);
    const servers = await serversOf(deployment.id);
    expect(servers.map((server) => [server.serverIndex, server.state, server.serverId])).toEqual([
      [0, "healthy", `local-${deployment.id}`],
      [1, "healthy", `local-${deployment.id}-1`],
    ]);
    expect(new Set(servers.map((server) => server.address)).size).toBe(2);
    // Two processes, each answering as itself.
    expect((await Promise.all(servers.map((server) => heartbeatOf(server.address!)))).map((beat) => beat.server)).toEqual([deployment.id, `${deployment.id}-1`]);
    const ledger = await recordedServers(instance.id);
    expect(ledger.map((entry) => [entry.externalId, (entry.details as { serverIndex?: number }).serverIndex]).sort()).toEqual([
      [`local-${deployment.id}`, 0],
      [`local-${deployment.id}-1`, 1],
    ]);
    const state = await loadBalancerStateFromDb(db, {
      baseDomain: "lyceum.test",
      httpBind: "127.0.0.1:1",
      httpsBind: null,
      portalAddress: "127.0.0.1:2",
      defaultCertificate: await selfSignedPemPair(["default.invalid"]),
      siteHostnames: (row) => [`${row.subdomain}.lyceum.test`],
    });
    expect(state.sites.find((site) => site.instanceId === instance.id)).toMatchObject({ mode: "serving", backendAddresses: servers.map((server) => server.address) });
    // The owner's page lists each server by number and state; staff see ids and addresses too.
    const view = await apiAs(owner).instances.byId({ id: instance.id });
    expect(view.appServers).toMatchObject({ count: 2, quorum: 2, servers: [{ number: 1, state: "healthy" }, { number: 2, state: "healthy" }] });
    // The billing page says how many run.
    const account = await apiAs(owner).billing.account();
    expect(account.subscriptions.find((row) => row.instance.id === instance.id)?.appServers).toEqual({ running: 2, planned: 2, autoscale: { minServers: 2, maxServers: 4 } });
    const staff = await makeUser("staff");
    const detail = await apiAs(staff).staff.instance({ id: instance.id });
    expect(detail.appServers.servers.map((server) => server.serverId)).toEqual([`local-${deployment.id}`, `local-${deployment.id}-1`]);
  });

  it("lets staff set another number (audited, with a reason), which a redeploy brings up before the old set leaves; deprovisioning removes every server", async () => {
    const owner = await makeVerifiedUser();
    const instance = await createInstance(owner.id, { name: "Exam Week School", subdomain: `exam-${uniqueSuffix()}`, plan: "starter" });
    await pay(instance.id);
    const running = await waitForStatus(instance.id, "running", 90_000);
    const first = running.activeDeploymentId!;
    expect((await serversOf(first)).map((server) => server.state)).toEqual(["healthy"]);

    const staff = await makeUser("staff");
    await expect(apiAs(owner).staff.setAppServers({ instanceId: instance.id, appServers: 3, reason: "I want more" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(apiAs(staff).staff.setAppServers({ instanceId: instance.id, appServers: 3, reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(apiAs(staff).staff.setAppServers({ instanceId: instance.id, appServers: 99, reason: "Far too many" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const set = await apiAs(staff).staff.setAppServers({ instanceId: instance.id, appServers: 3, reason: "Exam week: three servers." });
    expect(set.summary).toMatch(/runs 3 \(the plan has 1\) application server\(s\) from its next deployment/);
    await expect(apiAs(staff).staff.setAppServers({ instanceId: instance.id, appServers: 3, reason: "Once more" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, "set_app_servers"), eq(auditLog.instanceId, instance.id)));
    expect(audited.map((entry) => [entry.outcome, entry.reason]).sort()).toEqual([
      ["accepted", "Exam week: three servers."],
      ["refused", "Once more"],
    ]);
    expect((await instanceRow(instance.id)).appServersOverride).toBe(3);
    // Nothing changes until the next deployment.
    expect((await serversOf(first)).length).toBe(1);

    await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "apply three servers" });
    const redeploy = (await db.query.instanceOperations.findFirst({ where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")) }))!;
    expect(await finished(redeploy.id)).toMatchObject({ status: "succeeded" });
    const second = (await instanceRow(instance.id)).activeDeploymentId!;
    expect(second).not.toBe(first);
    expect((await serversOf(second)).map((server) => server.state)).toEqual(["healthy", "healthy", "healthy"]);
    expect((await recordedServers(instance.id)).length).toBe(4); // three new, and the old one kept as the fallback

    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: running.subdomain!, reason: "done with the test" });
    await waitForStatus(instance.id, "deprovisioned", 90_000);
    const up = (await compute().listServers()).map((server) => server.serverId);
    for (const id of [`local-${first}`, `local-${second}`, `local-${second}-1`, `local-${second}-2`]) expect(up).not.toContain(id);
    expect(await recordedServers(instance.id)).toEqual([]);
    const rows = await db.select().from(deploymentServers).where(eq(deploymentServers.instanceId, instance.id));
    expect(rows.map((row) => row.state)).toEqual(["removed", "removed", "removed", "removed"]);
  });

  it("replaces a server that fails its checks longer than the threshold: the new one joins before the dead one is destroyed, as an operation in the log", async () => {
    const owner = await makeVerifiedUser();
    const instance = await createInstance(owner.id, { name: "Resilient School", subdomain: `phoenix-${uniqueSuffix()}`, plan: "growth" });
    await pay(instance.id);
    const running = await waitForStatus(instance.id, "running", 90_000);
    const deploymentId = running.activeDeploymentId!;
    const [, doomed] = await serversOf(deploymentId);
    const { pid } = JSON.parse(readFileSync(path.join(process.env.LYCEUM_STATE_DIR!, "compute", `${deploymentId}-1`, "state.json"), "utf8")) as { pid: number };
    process.kill(pid, "SIGKILL");

    const start = new Date();
    const first = await checkAppServers(db, { replaceAfterSeconds: 60, now: start });
    expect(first).toMatchObject({ failing: 1, replacementsStarted: [] });
    expect((await serversOf(deploymentId)).map((server) => server.state)).toEqual(["healthy", "failing"]);
    // Still failing a minute later: past the threshold, a replace_server operation starts (and only one).
    const later = await checkAppServers(db, { replaceAfterSeconds: 60, now: new Date(start.getTime() + 61_000) });
    expect(later.replacementsStarted).toEqual([instance.id]);
    const operation = (await db.query.instanceOperations.findFirst({ where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "replace_server")) }))!;
    expect(operation).toMatchObject({ initiator: "system", reason: expect.stringMatching(/server 2 \(local-.*-1\) has failed its health checks for 61 s: replacing it/) });
    expect(await finished(operation.id)).toMatchObject({ status: "succeeded" });

    const after = await serversOf(deploymentId);
    expect(after.map((server) => [server.serverIndex, server.state])).toEqual([
      [0, "healthy"],
      [1, "removed"],
      [2, "healthy"],
    ]);
    expect((await heartbeatOf(after[2]!.address!)).server).toBe(`${deploymentId}-2`);
    const up = (await compute().listServers()).map((server) => server.serverId);
    expect(up).not.toContain(doomed!.serverId);
    expect((await recordedServers(instance.id)).map((entry) => entry.externalId).sort()).toEqual([`local-${deploymentId}`, `local-${deploymentId}-2`]);
    const steps = await db.query.operationSteps.findMany({ where: (t, { eq: equals }) => equals(t.operationId, operation.id) });
    const order = ["boot_replacement_servers", "sync_load_balancer", "destroy_replaced_servers"];
    expect(steps.map((step) => step.step).sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(order);
  });
});
