// A cluster's HAProxy nodes as the worker reads and drains them with LOAD_BALANCER_DRIVER=consul: two real HAProxy
// processes on loopback (Debian's binary), each serving the stats listener the renderer puts into every node's
// configuration, in front of the same two application servers. The load is summed over the nodes; a server is
// drained on both; a reload during a drain, which moves the sessions out of sight, is waited out.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedPemPair, type PemPair } from "@/server/infra/load-balancer/default-certificate";
import { HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { STICKY_COOKIE } from "@/server/infra/load-balancer/render-haproxy";
import { HaproxyFleet } from "@/server/infra/load-balancer/runtime";
import type { LoadBalancerState } from "@/server/infra/load-balancer/state";
import { HaproxyStatsEndpoint } from "@/server/infra/load-balancer/stats-http";
import { freePort } from "@/server/net/free-port";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";
import { eventually } from "./helpers/waiting";

const SITE = "0a0a0a0a-0000-4000-8000-0000000000c5";
const PASSWORD = "stats-password-for-tests-0123";

type Node = { haproxy: HaproxyLoadBalancer; dir: string; httpPort: number; statsUrl: string; state: LoadBalancerState };

describe.skipIf(skipWithout("haproxy"))("HAProxy nodes read and drained over their stats pages", () => {
  const appServers: http.Server[] = [];
  const nodes: Node[] = [];
  let certificate: PemPair;
  let addresses: string[];

  beforeAll(async () => {
    certificate = await selfSignedPemPair(["a.example.org"]);
    for (const name of ["first", "second"]) {
      const server = http.createServer((req, res) => {
        res.setHeader("x-server", name);
        const ms = Number(new URL(req.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("started\n");
        setTimeout(() => res.end("done\n"), ms);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      appServers.push(server);
    }
    addresses = appServers.map((server) => `127.0.0.1:${(server.address() as AddressInfo).port}`);
    for (let i = 0; i < 2; i += 1) {
      const dir = await mkdtemp(path.join(os.tmpdir(), "lyceum-stats-node-"));
      const httpPort = await freePort();
      const statsPort = await freePort();
      // What every node is rendered with (here each on its own loopback ports, being two processes on one machine).
      const state: LoadBalancerState = {
        httpBind: `127.0.0.1:${httpPort}`,
        httpsBind: null,
        portalAddress: "127.0.0.1:9",
        sites: [{ instanceId: SITE, hostnames: ["a.example.org"], backendAddresses: addresses, mode: "serving" }],
        certificates: [],
        defaultCertificate: certificate,
        stats: { bind: `127.0.0.1:${statsPort}`, password: PASSWORD },
      };
      const haproxy = new HaproxyLoadBalancer(dir, HAPROXY_BIN);
      await haproxy.start(state);
      nodes.push({ haproxy, dir, httpPort, statsUrl: `http://127.0.0.1:${statsPort}/stats`, state });
    }
    for (const node of nodes) {
      await eventually(async () => ((await node.haproxy.siteServerStats(SITE)).every((server) => server.status === "UP") ? true : undefined), 10_000, "both servers UP");
    }
  });

  afterAll(async () => {
    for (const node of nodes) {
      await node.haproxy.stop();
      await rm(node.dir, { recursive: true, force: true });
    }
    for (const server of appServers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const fleet = () => new HaproxyFleet(nodes.map((node) => new HaproxyStatsEndpoint(node.statsUrl, PASSWORD)));

  function get(node: Node, options: { ms?: number; cookie?: string } = {}) {
    return new Promise<{ status: number; server: string; cookie: string | null; body: string }>((resolve, reject) => {
      const headers: Record<string, string> = { host: "a.example.org" };
      if (options.cookie) headers.cookie = options.cookie;
      http
        .get({ host: "127.0.0.1", port: node.httpPort, path: `/?ms=${options.ms ?? 0}`, headers, agent: false }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              server: String(res.headers["x-server"]),
              cookie: (res.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]!).find((pair) => pair.startsWith(`${STICKY_COOKIE}=`)) ?? null,
              body,
            }),
          );
          res.on("aborted", () => reject(new Error(`cut after ${JSON.stringify(body)}`)));
        })
        .on("error", reject);
    });
  }

  it("sums the nodes' request counters, as each node's own runtime API counts them", async () => {
    const before = await fleet().readLoad();
    for (let i = 0; i < 5; i += 1) expect((await get(nodes[0]!)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await get(nodes[1]!)).status).toBe(200);
    const after = await fleet().readLoad();
    expect(after.processId).toBe(before.processId);
    expect(after.sites.get(SITE)!.requestsTotal - before.sites.get(SITE)!.requestsTotal).toBe(8);
    expect(after.sites.get(SITE)!.serversUp).toBe(2);
    // The same numbers the socket gives, node by node.
    const bySocket = await Promise.all(nodes.map((node) => new HaproxyFleet([node.haproxy]).readLoad()));
    expect(after.sites.get(SITE)!.requestsTotal).toBe(bySocket.reduce((sum, reading) => sum + reading.sites.get(SITE)!.requestsTotal, 0));
  });

  it("sees a reload on any node as a new set of processes (counters restart there)", async () => {
    const before = await fleet().readLoad();
    const node = nodes[1]!;
    node.state = { ...node.state, sites: [{ ...node.state.sites[0]!, hostnames: ["a.example.org", "www.a.example.org"] }] };
    expect((await node.haproxy.apply(node.state)).isChanged).toBe(true);
    const after = await fleet().readLoad();
    expect(after.processId).not.toBe(before.processId);
  });

  it("says which password is wrong", async () => {
    await expect(new HaproxyStatsEndpoint(nodes[0]!.statsUrl, "not-the-password-at-all").readStats()).rejects.toThrow(
      new RegExp(`HAProxy stats at ${nodes[0]!.statsUrl.replaceAll(".", "\\.")}: HTTP 401 \\(HAPROXY_STATS_PASSWORD differs`),
    );
  });

  it("drains a server on every node: no new request reaches it, and the wait ends when its long answer does", async () => {
    const pinned = await eventually(async () => {
      const answer = await get(nodes[0]!);
      return answer.server === "second" ? answer.cookie! : undefined;
    }, 5000, "an answer from the second server");
    const startedAt = Date.now();
    const long = get(nodes[0]!, { ms: 2500, cookie: pinned });
    await eventually(async () => ((await nodes[0]!.haproxy.siteServerStats(SITE)).find((server) => server.address === addresses[1])!.currentSessions === 1 ? true : undefined), 5000, "the long answer in flight");

    const draining = fleet().drainServers(SITE, [addresses[1]!], { timeoutMs: 10_000 });
    for (const node of nodes) {
      await eventually(async () => ((await node.haproxy.siteServerStats(SITE)).find((server) => server.address === addresses[1])!.status === "MAINT" ? true : undefined), 5000, "MAINT on each node");
    }
    // Visitors, even one whose cookie names the draining server, go to the other one.
    for (const node of nodes) for (let i = 0; i < 3; i += 1) expect((await get(node, { cookie: pinned })).server).toBe("first");

    const result = await draining;
    expect(await long).toMatchObject({ status: 200, server: "second", body: "started\ndone\n" });
    expect(result).toMatchObject({ isDrained: true, sessionsLeft: 0 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2500);
    expect(result.summary).toMatch(new RegExp(`^drained ${addresses[1]!.replaceAll(".", "\\.")} on 2 HAProxy process\\(es\\) in \\d+\\.\\d s$`));

    for (const node of nodes) for (const server of await node.haproxy.siteServerStats(SITE)) if (server.status === "MAINT") await node.haproxy.setServerState(`be_site_${SITE}`, server.name, "ready");
  });

  it("waits out the time allowed when a node reloads during a drain, and drains its new process too", async () => {
    const node = nodes[0]!;
    const pinned = await eventually(async () => {
      const answer = await get(node);
      return answer.server === "first" ? answer.cookie! : undefined;
    }, 5000, "an answer from the first server");
    // Longer than the drain is allowed, which is longer than a reload (haproxy -c, then the new worker) takes here.
    const long = get(node, { ms: 7000, cookie: pinned });
    await eventually(async () => ((await node.haproxy.siteServerStats(SITE)).find((server) => server.address === addresses[0])!.currentSessions === 1 ? true : undefined), 5000, "the long answer in flight");
    const draining = fleet().drainServers(SITE, [addresses[0]!], { timeoutMs: 5000, pollMs: 100 });
    await eventually(async () => ((await node.haproxy.siteServerStats(SITE)).find((server) => server.address === addresses[0])!.status === "MAINT" ? true : undefined), 5000, "MAINT");
    node.state = { ...node.state, sites: [{ ...node.state.sites[0]!, hostnames: ["a.example.org", "www.a.example.org"] }] };
    expect((await node.haproxy.apply(node.state)).isChanged).toBe(true);
    const result = await draining;
    expect(result).toMatchObject({ isDrained: false, sessionsLeft: 0 });
    expect(result.waitedMs).toBeGreaterThanOrEqual(5000);
    expect(result.summary).toMatch(/stopped waiting after 5 s \(a reload meanwhile hid the sessions its old process still serves\)$/);
    expect((await node.haproxy.siteServerStats(SITE)).find((server) => server.address === addresses[0])!.status).toMatch(/^MAINT/);
    // The old process finishes what it was answering.
    expect(await long).toMatchObject({ status: 200, server: "first", body: "started\ndone\n" });
  });
});
