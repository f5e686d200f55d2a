// Redeploys against a real worker and real local servers: a new deployment comes up beside the serving one
// and takes over once healthy, the old one is kept as fallback, a new one that never answers is torn down
// while the old one keeps serving, and the daily job prunes every instance to its active deployment and one
// fallback.
import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { auditLog, certificates, deployments, instanceEvents, instanceHostnames, instanceOperations, instanceResources, instances } = await import("@/db/schema");
const { issueCertificate } = await import("@/server/certificates/issuance");
const { terminateObsoleteDeploymentsOfFleet } = await import("@/jobs/tasks/terminate_obsolete_deployments");
const { PermanentStepError } = await import("@/jobs/runner/errors");
const { infra, setInfrastructure } = await import("@/server/infra");
const { ledgerFor } = await import("@/server/instances/ledger");
const { latestOperation } = await import("@/server/instances/operations");
const { siteConfigOf } = await import("@/server/instances/service-config");
const { sealedCells } = await import("@/server/crypto/sealed-cells");
const { decryptJson, encryptJson } = await import("@/server/crypto/secrets");
const { apiAs, makeUser } = await import("./helpers/accounts");
const { injectFault, instanceRow, runningInstance, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

const { localCompute: compute, runWorkerForThisFile } = await import("./helpers/file-worker");

runWorkerForThisFile();

async function deploymentsOf(instanceId: string) {
  return db.select().from(deployments).where(eq(deployments.instanceId, instanceId)).orderBy(deployments.createdAt);
}

async function upServerIds() {
  return (await compute().listServers()).map((server) => server.serverId);
}

async function finishedOperation(operationId: string) {
  return eventually(async () => {
    const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) });
    return row && ["succeeded", "failed", "cancelled"].includes(row.status) ? row : undefined;
  }, 60_000, `operation ${operationId} to finish`);
}

/**
 * What a visitor sees while `during` runs: requests to the site of whichever deployment is active at that
 * moment (the load balancer's view), and to `pinned` (the deployment that was serving when it started).
 */
async function pollSiteDuring<T>(instanceId: string, pinnedAddress: string, during: () => Promise<T>) {
  let isDone = false;
  const failures: string[] = [];
  let requests = 0;
  const poller = (async () => {
    while (!isDone) {
      const instance = await instanceRow(instanceId);
      const active = (await db.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId!) }))!;
      for (const address of new Set([active.address!, pinnedAddress])) {
        requests++;
        try {
          const response = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(5000) });
          if (response.status !== 200) failures.push(`${address}: HTTP ${response.status}`);
          await response.arrayBuffer();
        } catch (error) {
          failures.push(`${address}: ${(error as Error).message}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    return { result: await during(), failures, requests: () => requests };
  } finally {
    isDone = true;
    await poller;
  }
}

describe("redeploy", () => {
  it("boots a new deployment beside the old one, switches once it is healthy, keeps the old one as fallback, and no request fails", async () => {
    const { owner, instance } = await runningInstance("Redeployed Academy");
    const staff = await makeUser("staff");
    const [first] = await deploymentsOf(instance.id);
    expect(first).toMatchObject({ status: "running", id: instance.activeDeploymentId });

    const { result: operation, failures, requests } = await pollSiteDuring(instance.id, first!.address!, async () => {
      const accepted = await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "moving to the new image" });
      expect(accepted.outcome).toBe("accepted");
      // One operation at a time: the owner's button is refused while this one is under way.
      await expect(apiAs(owner).instances.redeploy({ id: instance.id })).rejects.toMatchObject({ code: "CONFLICT" });
      const started = (await db.query.instanceOperations.findFirst({
        where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")),
      }))!;
      return finishedOperation(started.id);
    });
    expect(operation).toMatchObject({ status: "succeeded", requestedBy: staff.id });
    expect(failures).toEqual([]);
    expect(requests()).toBeGreaterThan(5);

    const after = await instanceRow(instance.id);
    expect(after.status).toBe("running");
    const [old, fresh] = await deploymentsOf(instance.id);
    expect(fresh).toMatchObject({ status: "running", operationId: operation.id });
    expect(after.activeDeploymentId).toBe(fresh!.id);
    // Retired: out of service, its server still up as the fallback.
    expect(old).toMatchObject({ id: first!.id, status: "running", terminatedAt: null });
    expect(await upServerIds()).toEqual(expect.arrayContaining([old!.serverId, fresh!.serverId]));
    expect((await fetch(`http://${fresh!.address}/heartbeat`)).status).toBe(200);

    const label = fresh!.id.slice(0, 8);
    const messages = (await db.select().from(instanceEvents).where(eq(instanceEvents.operationId, operation.id))).map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        `Deployment ${label}: new → waiting_for_vm`,
        `Deployment ${label}: waiting_for_vm → configuring`,
        `Deployment ${label}: configuring → running`,
      ]),
    );
    const audit = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(audit.map(({ action, outcome, reason }) => ({ action, outcome, reason }))).toEqual([
      { action: "redeploy", outcome: "accepted", reason: "moving to the new image" },
    ]);

    // The owner redeploys again: the newest two stay (active and fallback), the first one is terminated.
    await apiAs(owner).instances.redeploy({ id: instance.id });
    const second = (await db.query.instanceOperations.findFirst({
      where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy"), eq(instanceOperations.requestedBy, owner.id)),
    }))!;
    expect(await finishedOperation(second.id)).toMatchObject({ status: "succeeded" });
    const [a, b, c] = await deploymentsOf(instance.id);
    expect([a!.status, b!.status, c!.status]).toEqual(["terminated", "running", "running"]);
    expect((await instanceRow(instance.id)).activeDeploymentId).toBe(c!.id);
    const up = await upServerIds();
    expect(up).not.toContain(a!.serverId);
    expect(up).toEqual(expect.arrayContaining([b!.serverId, c!.serverId]));
    const liveServers = await ledgerFor(db, instance.id).list("compute.server");
    expect(liveServers.map((entry) => entry.externalId).sort()).toEqual([b!.serverId, c!.serverId].sort());
  });

  it("hands every deployment of an instance the same Tutor secrets, another instance different ones, and keeps them out of the stored config", async () => {
    const { owner, instance } = await runningInstance("Steady Sessions Academy");
    const { instance: other } = await runningInstance("Other Sessions Academy");
    await apiAs(owner).instances.redeploy({ id: instance.id });
    const redeploy = (await db.query.instanceOperations.findFirst({
      where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")),
    }))!;
    expect(await finishedOperation(redeploy.id)).toMatchObject({ status: "succeeded" });

    type WithTutor = { services: { tutor: Record<string, string> } };
    const [provisioned, redeployed] = await deploymentsOf(instance.id);
    const [otherDeployment] = await deploymentsOf(other.id);
    const secretsOf = (deployment: typeof provisioned) => (siteConfigOf(deployment!) as WithTutor).services.tutor;
    const first = secretsOf(provisioned);
    expect(Object.keys(first).sort()).toEqual(["CMS_OAUTH2_SECRET", "ID", "JWT_RSA_PRIVATE_KEY", "OPENEDX_SECRET_KEY"]);
    expect(first.OPENEDX_SECRET_KEY).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(first.JWT_RSA_PRIVATE_KEY).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
    // Provision, then redeploy: the same secrets, so sessions and tokens signed by the old VM stay valid.
    expect(secretsOf(redeployed)).toEqual(first);
    const others = secretsOf(otherDeployment);
    for (const key of Object.keys(first)) expect(others[key], key).not.toBe(first[key]);
    // Only the sealed columns hold them: neither the stored config nor the ledger entry's details.
    for (const deployment of [provisioned, redeployed]) {
      const stored = JSON.stringify(deployment!.config);
      for (const value of Object.values(first)) expect(stored).not.toContain(value);
      for (const value of Object.values(first)) expect(deployment!.secrets).not.toContain(value);
    }
    const [entry] = await ledgerFor(db, instance.id).list("tutor.secrets");
    expect(JSON.stringify(entry!.details)).not.toContain(first.OPENEDX_SECRET_KEY);
  });

  it("tears down a new deployment that never answers /heartbeat; the old one keeps serving and the instance stays running", async () => {
    const { instance } = await runningInstance("Unlucky Academy");
    const staff = await makeUser("staff");
    const [serving] = await deploymentsOf(instance.id);
    await injectFault({
      instanceId: instance.id,
      operationKind: "redeploy",
      step: "wait_heartbeat",
      message: "no answer from /heartbeat",
      isRetryable: false,
    });

    const { result: operation, failures, requests } = await pollSiteDuring(instance.id, serving!.address!, async () => {
      await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "testing a bad image" });
      const started = (await db.query.instanceOperations.findFirst({
        where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")),
      }))!;
      return finishedOperation(started.id);
    });
    expect(operation.status).toBe("failed");
    expect(operation.error).toContain("no answer from /heartbeat");
    expect(failures).toEqual([]);
    expect(requests()).toBeGreaterThan(5);

    const after = await instanceRow(instance.id);
    expect(after).toMatchObject({ status: "running", activeDeploymentId: serving!.id });
    const [, failed] = await deploymentsOf(instance.id);
    expect(failed).toMatchObject({ status: "configuration_failed", operationId: operation.id });
    // Its server was booted, then torn down; the ledger says so.
    expect(failed!.serverId).toBeTruthy();
    expect(await upServerIds()).not.toContain(failed!.serverId);
    expect(await upServerIds()).toContain(serving!.serverId);
    const entry = (await db.select().from(instanceResources).where(and(eq(instanceResources.instanceId, instance.id), eq(instanceResources.externalId, failed!.serverId!))))[0];
    expect(entry?.deletedAt).not.toBeNull();
    const messages = (await db.select().from(instanceEvents).where(eq(instanceEvents.operationId, operation.id))).map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^Deployment ${failed!.id.slice(0, 8)}: configuring → configuration_failed`))]));
    expect(messages.find((message) => message.startsWith("Redeploying failed"))).toContain(`keeps serving deployment ${serving!.id.slice(0, 8)}`);
    // The instance can be redeployed again straight away.
    await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "the image is fixed" });
    const retried = (await latestOperation(db, instance.id))!;
    expect(retried.id).not.toBe(operation.id);
    expect(await finishedOperation(retried.id)).toMatchObject({ kind: "redeploy", status: "succeeded" });
  });

  it("marks a new deployment whose server cannot boot as error; the old one keeps serving", async () => {
    const { instance } = await runningInstance("Capacityless Academy");
    const staff = await makeUser("staff");
    const [serving] = await deploymentsOf(instance.id);
    const real = infra();
    // The cloud refuses the server (quota, say): a failure retrying will not fix.
    setInfrastructure({
      ...real,
      compute: Object.assign(Object.create(real.compute) as typeof real.compute, {
        ensureServer: async () => {
          throw new PermanentStepError("quota exceeded for instances");
        },
      }),
    });
    try {
      await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "testing a full region" });
      const operation = await finishedOperation((await latestOperation(db, instance.id))!.id);
      expect(operation).toMatchObject({ kind: "redeploy", status: "failed", error: "quota exceeded for instances" });
    } finally {
      setInfrastructure(real);
    }
    const [, failed] = await deploymentsOf(instance.id);
    expect(failed).toMatchObject({ status: "error", serverId: null });
    expect(await instanceRow(instance.id)).toMatchObject({ status: "running", activeDeploymentId: serving!.id });
    expect((await fetch(`http://${serving!.address}/`)).status).toBe(200);
    const messages = (await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id))).map((e) => e.message);
    expect(messages).toContain(`Deployment ${failed!.id.slice(0, 8)}: waiting_for_vm → error (quota exceeded for instances)`);
  });

  it("moves an instance deployed with the nested names to the one-label names, and retires the nested ones once the new deployment serves", async () => {
    const { owner, instance } = await runningInstance("Nested Academy");
    const sub = instance.subdomain!;
    const nested = [`studio.${sub}.localhost`, `preview.${sub}.localhost`, `apps.${sub}.localhost`];
    // As an instance deployed before the one-label names was left by the migration: flagged, holding its nested
    // names, their DNS records and its own wildcard certificate.
    await db.update(instances).set({ hasNestedHostnames: true }).where(eq(instances.id, instance.id));
    await db.insert(instanceHostnames).values(nested.map((hostname, i) => ({ hostname, instanceId: instance.id, kind: (["studio", "preview", "apps"] as const)[i]!, source: "subdomain" as const })));
    const ledger = ledgerFor(db, instance.id);
    for (const name of nested) {
      await ledger.record("dns.record", `${name} A`, { driver: infra().dns.name, zone: infra().dns.zone, name, type: "A", values: ["127.0.0.1"] });
      await infra().dns.ensureRecordSet({ name, type: "A", values: ["127.0.0.1"], ttl: 300 });
    }
    const own = await issueCertificate(db, infra().certificates, { instanceId: instance.id, hostnames: [`*.${sub}.localhost`], challenge: "dns-01" });
    await ledger.record("tls.certificate", own.id, { hostnames: own.hostnames, source: own.source });

    await apiAs(owner).instances.redeploy({ id: instance.id });
    const started = (await db.query.instanceOperations.findFirst({ where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")) }))!;
    expect(await finishedOperation(started.id)).toMatchObject({ status: "succeeded" });

    const after = await instanceRow(instance.id);
    expect(after.hasNestedHostnames).toBe(false);
    const active = (await db.query.deployments.findFirst({ where: eq(deployments.id, after.activeDeploymentId!) }))!;
    expect(active.operationId).toBe(started.id);
    expect(active.config?.hostnames).toEqual({ lms: `${sub}.localhost`, studio: `studio-${sub}.localhost`, preview: `preview-${sub}.localhost`, apps: `apps-${sub}.localhost` });
    const records = (await infra().dns.listRecordSets()).map((record) => record.name);
    for (const name of nested) expect(records).not.toContain(name);
    expect(records).toEqual(expect.arrayContaining([`studio-${sub}.localhost`, `preview-${sub}.localhost`, `apps-${sub}.localhost`]));
    expect(await db.select().from(certificates).where(eq(certificates.instanceId, instance.id))).toEqual([]);
    const claims = (await db.select().from(instanceHostnames).where(eq(instanceHostnames.instanceId, instance.id))).map((row) => row.hostname).sort();
    expect(claims).toEqual([`${sub}.localhost`, `apps-${sub}.localhost`, `preview-${sub}.localhost`, `studio-${sub}.localhost`].sort());
    const said = (await db.select().from(instanceEvents).where(eq(instanceEvents.operationId, started.id))).map((event) => event.message);
    expect(said).toEqual(expect.arrayContaining([expect.stringContaining(`${nested[0]}, ${nested[1]} and ${nested[2]} retired: 3 DNS record(s) and 1 certificate(s) removed`)]));
  });

  it("is refused for an instance that is not running", async () => {
    const { instance } = await runningInstance("Paused Academy");
    const staff = await makeUser("staff");
    await apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "testing" });
    await waitForStatus(instance.id, "suspended");
    await expect(apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "should not happen" })).rejects.toThrow(
      "Only a running instance can be redeployed; this one is suspended.",
    );
  });
});

describe("terminate_obsolete_deployments", () => {
  it("keeps each instance's active deployment and its most recent other healthy one, and terminates the rest", async () => {
    const [{ instance }, { instance: other }] = await Promise.all([runningInstance("Crowded Academy"), runningInstance("Tidy School")]);
    const [active] = await deploymentsOf(instance.id);
    // Leftovers, as a crash between boot and clean-up would leave them: two older healthy deployments with
    // servers up, and a failed one whose server is up too.
    const leftovers = [];
    for (const [status, ageMinutes] of [["running", 30], ["running", 20], ["configuration_failed", 10]] as const) {
      // Sealed secrets are bound to their row: each copy is sealed again for its own.
      const id = randomUUID();
      const secrets = active!.secrets ? encryptJson(decryptJson(active!.secrets, sealedCells.deploymentSecrets(active!)), sealedCells.deploymentSecrets({ id, instanceId: instance.id })) : null;
      const [row] = await db
        .insert(deployments)
        .values({
          id,
          instanceId: instance.id,
          computeDriver: "local",
          status,
          config: active!.config,
          secrets,
          createdAt: new Date(Date.now() - ageMinutes * 60_000),
        })
        .returning();
      const server = await compute().ensureServer({ deploymentId: row!.id, instanceId: instance.id, siteConfig: siteConfigOf(row!) });
      await ledgerFor(db, instance.id).record("compute.server", server.serverId, { driver: "local", deploymentId: row!.id, address: server.address });
      await db.update(deployments).set({ serverId: server.serverId, address: server.address }).where(eq(deployments.id, row!.id));
      leftovers.push({ ...row!, serverId: server.serverId });
    }
    const [oldest, fallback, failed] = leftovers;
    const otherBefore = await deploymentsOf(other.id);

    const report = await terminateObsoleteDeploymentsOfFleet();
    // Earlier tests in this file left failed deployments (without servers) on other instances: those go too.
    expect(report.failures).toEqual([]);
    expect(report.terminated).toBeGreaterThanOrEqual(2);

    const byId = new Map((await deploymentsOf(instance.id)).map((row) => [row.id, row]));
    expect(byId.get(active!.id)?.status).toBe("running");
    expect(byId.get(fallback!.id)?.status).toBe("running");
    expect(byId.get(oldest!.id)).toMatchObject({ status: "terminated", terminatedAt: expect.any(Date) });
    expect(byId.get(failed!.id)).toMatchObject({ status: "terminated", terminatedAt: expect.any(Date) });
    const up = await upServerIds();
    expect(up).toEqual(expect.arrayContaining([active!.serverId, fallback!.serverId]));
    expect(up).not.toContain(oldest!.serverId);
    expect(up).not.toContain(failed!.serverId);
    const live = await db
      .select()
      .from(instanceResources)
      .where(and(eq(instanceResources.instanceId, instance.id), eq(instanceResources.kind, "compute.server"), isNull(instanceResources.deletedAt)));
    expect(live.map((entry) => entry.externalId).sort()).toEqual([active!.serverId, fallback!.serverId].sort());
    const messages = (await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id))).map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^Deployment ${oldest!.id.slice(0, 8)}: running → terminated \\(obsolete`)),
        expect.stringMatching(new RegExp(`^Deployment ${failed!.id.slice(0, 8)}: configuration_failed → terminated \\(obsolete`)),
      ]),
    );
    // The other instance is untouched, and a second run finds nothing to do.
    expect(await deploymentsOf(other.id)).toEqual(otherBefore);
    expect(await terminateObsoleteDeploymentsOfFleet()).toMatchObject({ terminated: 0, failures: [] });
  });
});

describe("deprovisioning after redeploys", () => {
  it("destroys every deployment's server, the fallback's included, proves none is up, and leaves the other instance serving", async () => {
    const [{ instance }, { instance: other }] = await Promise.all([runningInstance("Closing Academy"), runningInstance("Staying School")]);
    const staff = await makeUser("staff");
    await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "new image" });
    const redeploy = (await latestOperation(db, instance.id))!;
    expect(await finishedOperation(redeploy.id)).toMatchObject({ status: "succeeded" });
    const servers = (await deploymentsOf(instance.id)).map((deployment) => deployment.serverId!);
    expect(servers).toHaveLength(2);
    expect(await upServerIds()).toEqual(expect.arrayContaining(servers));
    const otherDeployments = await deploymentsOf(other.id);

    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain!, reason: "closing" });
    await waitForStatus(instance.id, "deprovisioned");

    const up = await upServerIds();
    for (const serverId of servers) expect(up).not.toContain(serverId);
    expect((await deploymentsOf(instance.id)).map((deployment) => deployment.status)).toEqual(["terminated", "terminated"]);
    const deprovision = (await latestOperation(db, instance.id))!;
    const verified = (await db.select().from(instanceEvents).where(eq(instanceEvents.operationId, deprovision.id))).find(
      (event) => event.step === "verify_removed" && event.kind === "step_succeeded",
    );
    expect(verified?.message).toContain("none of its 2 deployment(s) has a server up");

    expect(await deploymentsOf(other.id)).toEqual(otherDeployments);
    expect(up).toContain(otherDeployments[0]!.serverId);
    expect((await fetch(`http://${otherDeployments[0]!.address}/heartbeat`)).status).toBe(200);
  });
});
