// An instance with several application servers behind the real HAProxy (Debian's, on loopback): three local site
// processes of one deployment (the local compute driver), a steady request loop, and what visitors see when a
// server dies, comes back, or the configuration reloads. The measured failover window is in docs/drivers.md.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalComputeDriver } from "@/server/infra/compute/local";
import type { ServerInfo } from "@/server/infra/compute/driver";
import { HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { selfSignedPemPair } from "@/server/infra/load-balancer/default-certificate";
import { HEALTH_CHECK, STICKY_COOKIE } from "@/server/infra/load-balancer/render-haproxy";
import type { LoadBalancerState } from "@/server/infra/load-balancer/state";
import { freePort } from "@/server/net/free-port";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

const INSTANCE = randomUUID();
const HOST = "many.test";

type Answer = { status: number; server: string; cookie: string | null };

function get(port: number, agent: http.Agent | false, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: HOST, ...(cookie ? { cookie } : {}) };
    const req = http.request({ host: "127.0.0.1", port, path: "/", headers, agent }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          server: String(res.headers["x-lyceum-server"] ?? ""),
          cookie: (res.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]!).find((pair) => pair.startsWith(`${STICKY_COOKIE}=`)) ?? null,
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  while (Date.now() < giveUpAt) {
    const value = await probe().catch(() => null);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

const isUp = (address: string) => fetch(`http://${address}/heartbeat`).then((response) => response.ok, () => false);

/** Requests from several clients (keep-alive and not) until stopped; every answer that is not the site's 200 is a failure. */
function requestLoop(port: number) {
  let isRunning = true;
  const failures: string[] = [];
  const servedBy = new Map<string, number>();
  let succeeded = 0;
  const client = async (agent: http.Agent | false) => {
    while (isRunning) {
      try {
        const answer = await get(port, agent);
        if (answer.status === 200 && answer.server) {
          succeeded += 1;
          servedBy.set(answer.server, (servedBy.get(answer.server) ?? 0) + 1);
        } else failures.push(`HTTP ${answer.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  const clients = [0, 1, 2].map(() => client(new http.Agent({ keepAlive: true, maxSockets: 1 }))).concat([client(false)]);
  return {
    failures,
    servedBy,
    succeeded: () => succeeded,
    async stop() {
      isRunning = false;
      await Promise.all(clients);
    },
  };
}

describe.skipIf(skipWithout("haproxy"))("an instance with several application servers behind HAProxy", () => {
  let dir: string;
  let lb: HaproxyLoadBalancer;
  let httpPort: number;
  let portal: http.Server;
  let portalAddress: string;
  let defaultCertificate: { chainPem: string; keyPem: string };
  const deploymentId = randomUUID();
  const compute = createLocalComputeDriver(path.join(os.tmpdir(), `lyceum-app-servers-${deploymentId}`));
  let servers: ServerInfo[] = [];

  const state = (addresses: string[]): LoadBalancerState => ({
    httpBind: `127.0.0.1:${httpPort}`,
    httpsBind: null,
    portalAddress,
    sites: [{ instanceId: INSTANCE, hostnames: [HOST], backendAddresses: addresses, mode: "serving" }],
    certificates: [],
    defaultCertificate,
  });

  beforeAll(async () => {
    portal = http.createServer((_req, res) => res.writeHead(200).end("portal"));
    await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
    portalAddress = `127.0.0.1:${(portal.address() as AddressInfo).port}`;
    servers = await Promise.all(
      [0, 1, 2].map((serverIndex) =>
        compute.ensureServer({ deploymentId, instanceId: INSTANCE, serverIndex, siteConfig: { instanceName: "Many servers", pages: [] } }, new AbortController().signal),
      ),
    );
    for (const server of servers) await waitUntil(`${server.serverId} answering`, () => isUp(server.address));
    defaultCertificate = await selfSignedPemPair(["default.invalid"]);
    httpPort = await freePort();
    dir = await mkdtemp(path.join(os.tmpdir(), "lyceum-haproxy-many-"));
    lb = new HaproxyLoadBalancer(dir, HAPROXY_BIN);
    await lb.start(state(servers.map((server) => server.address)));
    await waitUntil("every server UP", async () => (await lb.siteServerStats(INSTANCE)).every((server) => server.status === "UP"));
  }, 60_000);

  afterAll(async () => {
    await lb?.stop();
    await compute.stopAll();
    for (const server of servers) await compute.destroyServer(server.serverId);
    await new Promise((resolve) => portal?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("boots each server of a deployment as its own process, named after the deployment and its index", async () => {
    expect(servers.map((server) => server.serverId)).toEqual([`local-${deploymentId}`, `local-${deploymentId}-1`, `local-${deploymentId}-2`]);
    expect(new Set(servers.map((server) => server.address)).size).toBe(3);
    const listed = (await compute.listServers()).map((server) => server.serverId);
    expect(listed).toEqual(expect.arrayContaining(servers.map((server) => server.serverId)));
  });

  it("spreads new visitors over every server and keeps each visitor on the server that first answered", async () => {
    const first = await Promise.all([0, 1, 2, 3, 4, 5].map(() => get(httpPort, false)));
    expect(new Set(first.map((answer) => answer.server)).size).toBe(3);
    const visitor = first[0]!;
    expect(visitor.cookie).toMatch(new RegExp(`^${STICKY_COOKIE}=[0-9a-f]{12}$`));
    for (let i = 0; i < 6; i += 1) expect((await get(httpPort, false, visitor.cookie!)).server).toBe(visitor.server);
  });

  it("loses no request when a server is killed under load, takes it out within the health-check window and back when it answers", async () => {
    const loop = requestLoop(httpPort);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const victim = servers[1]!;
    const pid = Number((await import("node:fs")).readFileSync(path.join(os.tmpdir(), `lyceum-app-servers-${deploymentId}`, "compute", `${deploymentId}-1`, "state.json"), "utf8").match(/"pid":(\d+)/)![1]);
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await waitUntil("the killed server marked DOWN", async () => (await lb.siteServerStats(INSTANCE)).find((server) => server.name === "app2")?.status === "DOWN");
    const outAfterMs = Date.now() - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const servedBeforeRestart = loop.servedBy.get(`${deploymentId}-1`) ?? 0;
    // It starts again on its old port (the local driver keeps a free port), so HAProxy's next checks find it.
    const restartedAt = Date.now();
    const restarted = await compute.startServer(victim.serverId);
    expect(restarted.address).toBe(victim.address);
    await waitUntil("the restarted server marked UP", async () => (await lb.siteServerStats(INSTANCE)).find((server) => server.name === "app2")?.status === "UP");
    const backAfterMs = Date.now() - restartedAt;
    await waitUntil("the restarted server serving again", async () => (loop.servedBy.get(`${deploymentId}-1`) ?? 0) > servedBeforeRestart);
    await loop.stop();
    console.info(`failover: server out of rotation ${outAfterMs} ms after SIGKILL, back ${backAfterMs} ms after it started; ${loop.succeeded()} requests, ${loop.failures.length} failed`);
    expect(loop.failures).toEqual([]);
    expect(loop.succeeded()).toBeGreaterThan(100);
    // fall × inter, plus one interval for the check already under way, plus slack for a loaded machine.
    expect(outAfterMs).toBeLessThan((HEALTH_CHECK.fall + 1) * HEALTH_CHECK.intervalMs + 2000);
    expect(backAfterMs).toBeLessThan((HEALTH_CHECK.rise + 1) * HEALTH_CHECK.intervalMs + 3000);
  });

  it("fails no request while servers join and leave through seamless reloads", async () => {
    const loop = requestLoop(httpPort);
    const all = servers.map((server) => server.address);
    for (const addresses of [all.slice(0, 2), all, all.slice(1), all]) {
      expect(await lb.apply(state(addresses))).toMatchObject({ isChanged: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await loop.stop();
    expect(loop.failures).toEqual([]);
    expect(loop.succeeded()).toBeGreaterThan(50);
  });
});
