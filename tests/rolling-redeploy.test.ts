// A rolling redeploy behind the real HAProxy: a Growth instance's two servers serve a steady request loop while
// staff redeploy it; the new set boots beside the old, every new server answers before one reload switches the
// backend over, and the old set stays up as the fallback. No request fails.
import http from "node:http";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
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
const { deploymentServers, instanceOperations } = await import("@/db/schema");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { createInstance, makeVerifiedUser } = await import("./helpers/registration");
const { instanceRow, pay, waitForStatus } = await import("./helpers/instances");
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

describe.skipIf(skipWithout("haproxy"))("a rolling redeploy behind HAProxy", () => {
  const edge = useEdgeAndWorker();

  it("fails no request while a new set of servers replaces the old one", async () => {
    const owner = await makeVerifiedUser();
    const staff = await makeUser("staff");
    const subdomain = `roll-${uniqueSuffix()}`;
    const host = `${subdomain}.localhost`;
    const instance = await createInstance(owner.id, { name: "Rolling Academy", subdomain, plan: "growth" });
    await pay(instance.id);
    const before = (await waitForStatus(instance.id, "running", 90_000)).activeDeploymentId!;
    await eventually(async () => ((await get(host, false)).status === 200 ? true : undefined), 20_000, "the site through HAProxy");

    let isRunning = true;
    const failures: string[] = [];
    const servedBy = new Map<string, number>();
    const client = async (agent: http.Agent | false) => {
      while (isRunning) {
        try {
          const answer = await get(host, agent);
          if (answer.status === 200) servedBy.set(answer.server, (servedBy.get(answer.server) ?? 0) + 1);
          else failures.push(`HTTP ${answer.status}`);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const clients = [client(new http.Agent({ keepAlive: true, maxSockets: 1 })), client(new http.Agent({ keepAlive: true, maxSockets: 1 })), client(false)];

    await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "rolling redeploy test" });
    const operation = await eventually(async () => {
      const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.instanceId, instance.id), orderBy: (t, { desc }) => desc(t.createdAt) });
      return row?.kind === "redeploy" && ["succeeded", "failed"].includes(row.status) ? row : undefined;
    }, 120_000, "the redeploy to finish");
    // A little more traffic on the new set, then stop.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    isRunning = false;
    await Promise.all(clients);

    expect(operation.status).toBe("succeeded");
    const after = (await instanceRow(instance.id)).activeDeploymentId!;
    expect(after).not.toBe(before);
    const newServers = await db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, after));
    expect(newServers.map((server) => server.state)).toEqual(["healthy", "healthy"]);
    expect(failures).toEqual([]);
    // Both sets served: the old before the switch, the new after it.
    const served = [...servedBy.keys()];
    expect(served).toEqual(expect.arrayContaining([before, `${before}-1`, after, `${after}-1`]));
    // The old set is the fallback: still up, out of the load balancer.
    const oldServers = await db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, before));
    for (const server of oldServers) expect((await fetch(`http://${server.address}/heartbeat`)).status).toBe(200);
    expect(await (await import("node:fs/promises")).readFile(edge.haproxy().paths.currentConfig, "utf8")).not.toContain(oldServers[0]!.address!);
  }, 180_000);
});
