// Scaling in without cutting a request, against the real HAProxy (Debian's, on loopback) and real local site
// processes: a Growth instance runs two servers; a long answer streams from the newest one (the one scale-in takes
// away) while a steady loop of form posts runs; the scale_in operation puts that server into maintenance, waits for
// the long answer to finish, and only then reloads HAProxy without it and destroys it. Nothing fails.
import http from "node:http";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freePort } from "@/server/net/free-port";
import { useEdgeAndWorker } from "./helpers/edge-and-worker";
import { isolatedDatabase } from "./helpers/isolated-database";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

await isolatedDatabase();
const httpPort = await freePort();
process.env.LOAD_BALANCER_DRIVER = "haproxy";
process.env.HAPROXY_BIN = HAPROXY_BIN;
process.env.HAPROXY_HTTP_PORT = String(httpPort);
process.env.HAPROXY_HTTPS_PORT = String(await freePort());
process.env.SCALE_IN_DRAIN_SECONDS = "30";

const { db } = await import("@/db");
const { deploymentServers, deployments, instanceOperations, operationSteps } = await import("@/db/schema");
const { startOperation } = await import("@/server/instances/operations");
const { STICKY_COOKIE } = await import("@/server/infra/load-balancer/render-haproxy");
const { uniqueSuffix } = await import("./helpers/accounts");
const { createInstance, makeVerifiedUser } = await import("./helpers/registration");
const { pay, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

type Answer = { status: number; server: string; cookie: string | null; body: string };

/** One request through HAProxy; `onStarted` is called once the answer's first bytes arrived. */
function request(host: string, options: { method?: string; path?: string; cookie?: string; agent?: http.Agent | false; onStarted?: () => void } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.method === "POST") headers["content-type"] = "application/x-www-form-urlencoded";
    const req = http.request({ host: "127.0.0.1", port: httpPort, method: options.method ?? "GET", path: options.path ?? "/", headers, agent: options.agent ?? false }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        if (!body) options.onStarted?.();
        body += chunk.toString();
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          server: String(res.headers["x-lyceum-server"] ?? ""),
          cookie: (res.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]!).find((pair) => pair.startsWith(`${STICKY_COOKIE}=`)) ?? null,
          body,
        }),
      );
      res.on("aborted", () => reject(new Error(`the answer was cut after ${JSON.stringify(body)}`)));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(options.method === "POST" ? "answer=42" : undefined);
  });
}

/** Keep-alive clients posting a form as fast as they are answered, until stopped; counts what failed. */
function postLoop(host: string, clients: number) {
  let isRunning = true;
  let succeeded = 0;
  const failures: string[] = [];
  const client = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (isRunning) {
      try {
        const answer = await request(host, { method: "POST", agent });
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

describe.skipIf(skipWithout("haproxy"))("scaling in behind HAProxy", () => {
  useEdgeAndWorker();

  it("drains the leaving server: a long answer it is streaming finishes, and a steady loop of posts loses none", async () => {
    const owner = await makeVerifiedUser();
    const subdomain = `drain-${uniqueSuffix()}`;
    const host = `${subdomain}.localhost`;
    const instance = await createInstance(owner.id, { name: "Long Answers Academy", subdomain, plan: "growth" });
    await pay(instance.id);
    const deploymentId = (await waitForStatus(instance.id, "running", 90_000)).activeDeploymentId!;
    const servers = await db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, deploymentId)).orderBy(asc(deploymentServers.serverIndex));
    expect(servers.map((server) => server.state)).toEqual(["healthy", "healthy"]);
    const leaving = servers[1]!; // scale-in takes the newest healthy server

    // The sticky cookie of the leaving server: round robin without a cookie reaches it within a few requests.
    const leavingCookie = await eventually(async () => {
      const answer = await request(host);
      return answer.status === 200 && answer.server === `${deploymentId}-1` ? answer.cookie! : undefined;
    }, 20_000, "an answer from the second server");

    let load: ReturnType<typeof postLoop> | null = null;
    let longAnswer: Promise<Answer> | null = null;
    try {
      let hasStarted = false;
      // Longer than the local driver's 5 s between SIGTERM and SIGKILL when it destroys a server (a VM's deletion
      // gives none): only a drain lets it finish.
      longAnswer = request(host, { path: "/slow?ms=20000", cookie: leavingCookie, onStarted: () => (hasStarted = true) });
      longAnswer.catch(() => undefined);
      // Before the posts start, which compete with it for this machine's two cores.
      await eventually(async () => (hasStarted ? true : undefined), 10_000, "the long answer to start");
      load = postLoop(host, 4);

      // What the autoscaler does on a sustained low load (server/deployments/autoscale.ts), by hand here.
      const operation = await db.transaction(async (tx) => {
        const started = await startOperation(tx, { instanceId: instance.id, kind: "scale_in", initiator: "system", reason: "drain test" });
        await tx.update(deployments).set({ serverCount: 1 }).where(eq(deployments.id, deploymentId));
        return started;
      });
      const finished = await eventually(async () => {
        const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) });
        return row && ["succeeded", "failed", "cancelled"].includes(row.status) ? row : undefined;
      }, 60_000, "the scale_in operation to finish");
      expect(finished.status).toBe("succeeded");

      const answer = await longAnswer;
      expect(answer).toMatchObject({ status: 200, server: `${deploymentId}-1` });
      expect(answer.body).toBe("started\nfinished after 20000 ms\n");
      const [takeOut] = await db
        .select()
        .from(operationSteps)
        .where(and(eq(operationSteps.operationId, operation.id), eq(operationSteps.step, "take_surplus_servers_out")));
      expect(takeOut!.result).toMatch(new RegExp(`out of rotation: server 2 .*; 1 server\\(s\\) stay; drained ${leaving.address!.replaceAll(".", "\\.")} on 1 HAProxy process\\(es\\) in \\d+\\.\\d s$`));
      // Some posts kept being answered, by the server that stays, while the other drained.
      const postsBefore = load.succeeded();
      await eventually(async () => (load!.succeeded() > postsBefore + 10 ? true : undefined), 10_000, "posts after the scale-in");
    } finally {
      await load?.stop();
      await longAnswer?.catch(() => undefined);
    }
    expect(load!.failures).toEqual([]);
    expect(load!.succeeded()).toBeGreaterThan(50);
    // Gone from HAProxy and destroyed.
    expect((await db.query.deploymentServers.findFirst({ where: eq(deploymentServers.id, leaving.id) }))!.state).toBe("removed");
    await expect(fetch(`http://${leaving.address}/heartbeat`)).rejects.toThrow();
    const answeredBy = new Set<string>();
    for (let i = 0; i < 4; i += 1) answeredBy.add((await request(host, { cookie: leavingCookie })).server);
    expect([...answeredBy]).toEqual([deploymentId]); // the first server's key is the deployment id alone
  }, 180_000);
});
