// Autoscaling against the real HAProxy (Debian's, on loopback) and real local site processes: a load generator pushes
// a Growth instance (autoscaled between 2 and 4 servers) over its plan's requests-per-server threshold; while another
// operation runs nothing is scaled, once it ends a server is added; after the load stops one is removed again, down
// to the plan's minimum. The periods are seconds here (AUTOSCALE_* variables), minutes in production.
import http from "node:http";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freePort } from "@/server/net/free-port";
import { useEdgeAndWorker } from "./helpers/edge-and-worker";
import { isolatedDatabase } from "./helpers/isolated-database";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

await isolatedDatabase();
// Before anything reads the configuration: this file's worker and steps use HAProxy, and autoscale within seconds.
const httpPort = await freePort();
process.env.LOAD_BALANCER_DRIVER = "haproxy";
process.env.HAPROXY_BIN = HAPROXY_BIN;
process.env.HAPROXY_HTTP_PORT = String(httpPort);
process.env.HAPROXY_HTTPS_PORT = String(await freePort());
process.env.AUTOSCALE_SAMPLE_SECONDS = "1";
process.env.AUTOSCALE_OUT_AFTER_SECONDS = "3";
process.env.AUTOSCALE_IN_AFTER_SECONDS = "4";

const { db } = await import("@/db");
const { deploymentServers, deployments, instanceEvents, instanceOperations } = await import("@/db/schema");
const { enqueueJob } = await import("@/server/queue/enqueue");
const { metrics } = await import("@/server/observability/metrics");
const { planById } = await import("@/server/billing/plans");
const { apiAs, uniqueSuffix } = await import("./helpers/accounts");
const { createInstance, makeVerifiedUser } = await import("./helpers/registration");
const { pay, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

function get(host: string, agent: http.Agent | false): Promise<{ status: number; server: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: httpPort, path: "/", headers: { host }, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, server: String(res.headers["x-lyceum-server"] ?? "") }));
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** Keep-alive clients requesting as fast as they are answered, until stopped; counts what failed. */
function loadGenerator(host: string, clients: number) {
  let isRunning = true;
  let succeeded = 0;
  const failures: string[] = [];
  const client = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (isRunning) {
      try {
        const answer = await get(host, agent);
        if (answer.status === 200) succeeded += 1;
        else failures.push(`HTTP ${answer.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    agent.destroy();
  };
  const running = Array.from({ length: clients }, () => client());
  return {
    failures,
    succeeded: () => succeeded,
    async stop() {
      isRunning = false;
      await Promise.all(running);
    },
  };
}

const liveServers = (deploymentId: string) =>
  db
    .select()
    .from(deploymentServers)
    .where(eq(deploymentServers.deploymentId, deploymentId))
    .orderBy(asc(deploymentServers.serverIndex))
    .then((rows) => rows.filter((row) => row.state !== "removed"));

const scalingOperations = (instanceId: string) =>
  db
    .select()
    .from(instanceOperations)
    .where(eq(instanceOperations.instanceId, instanceId))
    .orderBy(asc(instanceOperations.createdAt))
    .then((rows) => rows.filter((row) => row.kind === "scale_out" || row.kind === "scale_in"));

async function finished(operationId: string) {
  return eventually(async () => {
    const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) });
    return row && ["succeeded", "failed", "cancelled"].includes(row.status) ? row : undefined;
  }, 90_000, `operation ${operationId} to finish`);
}

describe.skipIf(skipWithout("haproxy"))("autoscaling behind HAProxy", () => {
  useEdgeAndWorker();

  it("adds a server when the load stays over the plan's threshold (not while another operation runs), and removes it after the load stops", async () => {
    const policy = planById("growth").autoscale!;
    const owner = await makeVerifiedUser();
    const subdomain = `busy-${uniqueSuffix()}`;
    const host = `${subdomain}.localhost`;
    const instance = await createInstance(owner.id, { name: "Exam Week Academy", subdomain, plan: "growth" });
    await pay(instance.id);
    const deploymentId = (await waitForStatus(instance.id, "running", 90_000)).activeDeploymentId!;
    await eventually(async () => ((await get(host, false)).status === 200 ? true : undefined), 20_000, "the site through HAProxy");
    expect((await liveServers(deploymentId)).length).toBe(policy.minServers);
    // The sampling chain starts with the crontab's next minute in production; here at once.
    await enqueueJob(db, "autoscale_instances", {}, { jobKey: "autoscale_instances" });

    // Another operation holds the instance (a row with no job behind it, finished by hand below).
    const [busy] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "backup", status: "running", initiator: "system", reason: "holds the instance" }).returning();
    const load = loadGenerator(host, 6);
    try {
      // The load is sustained past the scale-out period: a decision is due, and put off.
      const startedAt = Date.now();
      await eventually(async () => (((await metrics().autoscaleDeferred.get()).values[0]?.value ?? 0) > 0 ? true : undefined), 30_000, "a deferred decision");
      expect(await scalingOperations(instance.id)).toEqual([]);
      const sustainedRate = load.succeeded() / ((Date.now() - startedAt) / 1000);
      expect(sustainedRate / policy.minServers).toBeGreaterThan(policy.scaleOutRequestsPerSecondPerServer);

      // The other operation ends: the load, high all along, adds a server at the next sample.
      await db.update(instanceOperations).set({ status: "succeeded", finishedAt: new Date() }).where(eq(instanceOperations.id, busy!.id));
      const scaleOut = await eventually(async () => (await scalingOperations(instance.id))[0], 10_000, "a scale_out operation");
      expect(scaleOut).toMatchObject({ kind: "scale_out", initiator: "system" });
      expect(scaleOut.reason).toMatch(/^Autoscaling: adding a server \(2 → 3\): the load has been above 40 requests\/s per server for \d+ s \(now [\d.]+ requests\/s/);
      await load.stop();
      expect(await finished(scaleOut.id)).toMatchObject({ status: "succeeded" });
    } finally {
      await load.stop();
    }
    // Retries and redispatch keep visitors from seeing the reload that added the server.
    expect(load.failures).toEqual([]);
    const scaled = await liveServers(deploymentId);
    expect(scaled.map((server) => server.state)).toEqual(["healthy", "healthy", "healthy"]);
    expect((await db.query.deployments.findFirst({ where: eq(deployments.id, deploymentId) }))!.serverCount).toBe(3);
    // The decision is an event with the numbers it was made on.
    const [decision] = await db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, instance.id), eq(instanceEvents.operationId, (await scalingOperations(instance.id))[0]!.id)))
      .orderBy(asc(instanceEvents.id))
      .limit(1);
    expect(decision!.data).toMatchObject({ autoscale: "out", from: 2, to: 3 });
    expect((decision!.data as { requestsPerSecondPerServer: number }).requestsPerSecondPerServer).toBeGreaterThan(policy.scaleOutRequestsPerSecondPerServer);
    // The billing page says how many run, and the range they follow the load in.
    const account = await apiAs(owner).billing.account();
    expect(account.subscriptions.find((row) => row.instance.id === instance.id)?.appServers).toEqual({ running: 3, planned: 2, autoscale: { minServers: 2, maxServers: 4 } });
    // The added server answers through HAProxy (round robin over three: three requests without the cookie reach it).
    const added = scaled[2]!;
    const answeredBy = new Set<string>();
    for (let i = 0; i < 6; i += 1) answeredBy.add((await get(host, false)).server);
    expect(answeredBy).toContain(`${deploymentId}-${added.serverIndex}`);

    // No load: after the (longer) scale-in period, one server goes, and no further than the plan's minimum.
    const scaleIn = await eventually(async () => (await scalingOperations(instance.id)).find((row) => row.kind === "scale_in"), 30_000, "a scale_in operation");
    expect(scaleIn.reason).toMatch(/^Autoscaling: removing a server \(3 → 2\): the load has been below 10 requests\/s per server/);
    expect(await finished(scaleIn.id)).toMatchObject({ status: "succeeded" });
    expect((await liveServers(deploymentId)).length).toBe(2);
    const removed = (await db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, deploymentId))).filter((row) => row.state === "removed");
    expect(removed.length).toBe(1);
    // Taken out of HAProxy and destroyed.
    await expect(fetch(`http://${removed[0]!.address}/heartbeat`)).rejects.toThrow();
    // Idle at the minimum: nothing more happens.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect((await scalingOperations(instance.id)).map((row) => [row.kind, row.status])).toEqual([
      ["scale_out", "succeeded"],
      ["scale_in", "succeeded"],
    ]);
    const decisions = await metrics().autoscaleDecisions.get();
    expect(Object.fromEntries(decisions.values.map((value) => [value.labels.direction, value.value]))).toEqual({ out: 1, in: 1 });
  }, 180_000);
});
