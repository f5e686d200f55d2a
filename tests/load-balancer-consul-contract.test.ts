// The Consul driver against a loopback agent that speaks Consul's KV API: what it publishes is exactly the
// rendered configuration for the nodes' directory, the manifest moves by check-and-set only, nodes can
// follow it with blocking queries, and the token travels in the header.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsulConflictError, ConsulLoadBalancer } from "@/server/infra/load-balancer/consul";
import { followPublishedConfiguration, placePublishedFiles } from "@/server/infra/load-balancer/consul-node";
import { HaproxyConfigRefusedError, HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { MAINTENANCE_PAGE_MARKER } from "@/server/infra/load-balancer/pages";
import { freePort } from "@/server/net/free-port";
import { selfSignedPemPair, type PemPair } from "@/server/infra/load-balancer/default-certificate";
import type { LoadBalancedSite, LoadBalancerState } from "@/server/infra/load-balancer/state";
import { HaproxyFleet } from "@/server/infra/load-balancer/runtime";
import { HaproxyStatsEndpoint } from "@/server/infra/load-balancer/stats-http";
import { startFakeConsul } from "./helpers/fake-consul";
import { eventually } from "./helpers/waiting";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

const TOKEN = "b1gs3cr3t-consul-token";
const PREFIX = "lyceum-test/load-balancer";
const A = "0a0a0a0a-0000-4000-8000-000000000001";

describe("the Consul load balancer driver", () => {
  let consul: Awaited<ReturnType<typeof startFakeConsul>>;
  let certificate: PemPair;
  let driver: ConsulLoadBalancer;

  const state = (sites: LoadBalancedSite[]): LoadBalancerState => ({
    httpBind: ":80",
    httpsBind: ":443",
    portalAddress: "10.0.0.5:3000",
    sites,
    certificates: [{ hostnames: ["a.example.org"], ...certificate }],
    defaultCertificate: certificate,
  });
  const serving = (): LoadBalancedSite => ({ instanceId: A, hostnames: ["a.example.org", "studio.a.example.org"], backendAddresses: ["10.0.1.7:80"], mode: "serving" });

  beforeAll(async () => {
    consul = await startFakeConsul(TOKEN);
    certificate = await selfSignedPemPair(["a.example.org"]);
    driver = new ConsulLoadBalancer({ url: consul.url, token: TOKEN, prefix: PREFIX, nodeDir: "/etc/haproxy/lyceum", haproxyBin: "/usr/sbin/haproxy" });
  });
  afterAll(() => consul?.close());

  it("publishes the rendered files for the nodes' directory, blobs first and the manifest last by check-and-set", async () => {
    consul.requests.length = 0;
    const result = await driver.apply(state([serving()]));
    expect(result.isChanged).toBe(true);
    const puts = consul.requests.filter((request) => request.method === "PUT");
    expect(puts.at(-1)).toEqual({ method: "PUT", key: `${PREFIX}/manifest`, query: { cas: "0" } });
    expect(puts.slice(0, -1).every((put) => put.key.startsWith(`${PREFIX}/blobs/`) && put.query.cas === "0")).toBe(true);

    // What a node reads back is byte for byte what the renderer makes for its directory.
    const published = await driver.readManifest();
    const files = await driver.readFiles(published!.manifest);
    const expected = driver.render(state([serving()]));
    expect(files["config/haproxy.cfg"]).toBe(expected.files["haproxy.cfg"]);
    expect(files["config/haproxy.cfg"]).toContain("map(/etc/haproxy/lyceum/config/hosts.map,be_portal)");
    expect(files["config/hosts.map"]).toBe(`a.example.org be_site_${A}\nstudio.a.example.org be_site_${A}\n`);
    expect(files["config/crt-list.txt"]).toMatch(/^\/etc\/haproxy\/lyceum\/certs\/[0-9a-f]{32}\.pem a\.example\.org\n$/);
    expect(Object.keys(files).filter((name) => name.startsWith("certs/"))).toHaveLength(1); // the default and a's are one file here
  });

  it("publishes nothing when the state has not changed", async () => {
    await driver.apply(state([serving()]));
    consul.requests.length = 0;
    expect(await driver.apply(state([serving()]))).toMatchObject({ isChanged: false });
    expect(consul.requests.filter((request) => request.method === "PUT")).toEqual([]);
  });

  it("lets a node wait for the next configuration with a blocking query", async () => {
    const before = await driver.readManifest();
    const waiting = driver.manifestAfter(before!.modifyIndex, { wait: "10s" });
    await driver.apply(state([{ ...serving(), mode: "maintenance", backendAddresses: [] }]));
    const after = (await waiting).published;
    expect(after!.modifyIndex).toBeGreaterThan(before!.modifyIndex);
    const files = await driver.readFiles(after!.manifest);
    expect(files["config/hosts.map"]).toContain("a.example.org be_maintenance");
    expect(consul.requests.some((request) => request.query.index === String(before!.modifyIndex) && request.query.wait === "10s")).toBe(true);
  });

  it("refuses to overwrite a manifest another worker changed since it was read", async () => {
    await driver.apply(state([serving()]));
    // Another worker publishes between this driver's read and write: the fake agent's fetch interleaves it.
    const other = new ConsulLoadBalancer({ url: consul.url, token: TOKEN, prefix: PREFIX, nodeDir: "/etc/haproxy/lyceum" });
    let hasInterleaved = false;
    const racing = new ConsulLoadBalancer({
      url: consul.url,
      token: TOKEN,
      prefix: PREFIX,
      nodeDir: "/etc/haproxy/lyceum",
      fetch: async (input, init) => {
        if (!hasInterleaved && init?.method === "PUT" && String(input).includes("/manifest")) {
          hasInterleaved = true;
          await other.apply(state([]));
        }
        return fetch(input, init);
      },
    });
    await expect(racing.apply(state([{ ...serving(), mode: "preparing", backendAddresses: [] }]))).rejects.toBeInstanceOf(ConsulConflictError);
    const files = await driver.readFiles((await driver.readManifest())!.manifest);
    expect(files["config/hosts.map"]).toBe(""); // the other worker's state stands
  });

  it("checks the configuration with haproxy -c before publishing it", async () => {
    const before = await driver.readManifest();
    const broken = state([{ ...serving(), backendAddresses: ["no-such-host.invalid:80"] }]);
    await expect(driver.apply(broken)).rejects.toBeInstanceOf(HaproxyConfigRefusedError);
    expect((await driver.readManifest())!.modifyIndex).toBe(before!.modifyIndex);
  });

  it("shares one default certificate between workers: the first one stores it, the others use it", async () => {
    let made = 0;
    const make = async () => (made++, { chainPem: `CHAIN-${made}`, keyPem: `KEY-${made}` });
    const workers = [0, 1, 2].map(() => new ConsulLoadBalancer({ url: consul.url, token: TOKEN, prefix: PREFIX, nodeDir: "/etc/haproxy/lyceum" }));
    const pairs = await Promise.all(workers.map((worker) => worker.sharedDefaultCertificate(make)));
    expect(new Set(pairs.map((pair) => pair.chainPem)).size).toBe(1);
    expect(consul.requests.some((request) => request.method === "PUT" && request.key === `${PREFIX}/default-certificate` && request.query.cas === "0")).toBe(true);
    expect(await workers[0]!.sharedDefaultCertificate(make)).toEqual(pairs[0]);
  });

  it("sends its ACL token, and says what a 403 means", async () => {
    expect(consul.requests.length).toBeGreaterThan(0);
    const tokenless = new ConsulLoadBalancer({ url: consul.url, prefix: PREFIX, nodeDir: "/etc/haproxy/lyceum" });
    await expect(tokenless.apply(state([]))).rejects.toThrow(/HTTP 403 .*CONSUL_TOKEN needs key:write/);
  });
});

const HAPROXY = HAPROXY_BIN;

describe.skipIf(skipWithout("haproxy"))("a HAProxy node following Consul", () => {
  it("starts on the published configuration and reloads on each new one; its stats page gives the worker its load", async () => {
    const consul = await startFakeConsul(TOKEN);
    const site = http.createServer((req, res) => res.writeHead(200).end(`site ${req.url}`));
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    const nodeDir = await mkdtemp(path.join(os.tmpdir(), "lyceum-consul-node-"));
    const haproxy = new HaproxyLoadBalancer(nodeDir, HAPROXY);
    const controller = new AbortController();
    try {
      const port = await freePort();
      const statsPort = await freePort();
      const statsPassword = "node-stats-password-0123";
      const certificate = await selfSignedPemPair(["a.example.org"]);
      const worker = new ConsulLoadBalancer({ url: consul.url, token: TOKEN, prefix: PREFIX, nodeDir, haproxyBin: HAPROXY });
      const state = (mode: "serving" | "maintenance"): LoadBalancerState => ({
        httpBind: `127.0.0.1:${port}`,
        httpsBind: null,
        portalAddress: "127.0.0.1:9",
        sites: [{ instanceId: A, hostnames: ["a.example.org"], backendAddresses: [`127.0.0.1:${(site.address() as AddressInfo).port}`], mode }],
        certificates: [],
        defaultCertificate: certificate,
        stats: { bind: `127.0.0.1:${statsPort}`, password: statsPassword },
      });
      await worker.apply(state("serving"));

      const node = new ConsulLoadBalancer({ url: consul.url, token: TOKEN, prefix: PREFIX, nodeDir });
      const published = (await node.readManifest())!;
      await haproxy.start(placePublishedFiles(await node.readFiles(published.manifest), published.manifest, nodeDir));
      const lines: string[] = [];
      const following = followPublishedConfiguration({ consul: node, haproxy, publishedNodeDir: nodeDir, signal: controller.signal, wait: "2s", say: (line) => lines.push(line) });
      const getA = () =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          http
            .get({ host: "127.0.0.1", port, path: "/x", headers: { host: "a.example.org" }, agent: false }, (res) => {
              let body = "";
              res.on("data", (chunk: Buffer) => (body += chunk.toString()));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            })
            .on("error", reject);
        });
      expect(await getA()).toEqual({ status: 200, body: "site /x" });
      // The published configuration brings the stats page the worker reads the node's load from (HAPROXY_STATS_URLS).
      const nodeStats = new HaproxyFleet([new HaproxyStatsEndpoint(`http://127.0.0.1:${statsPort}/stats`, statsPassword)]);
      const load = (await nodeStats.readLoad()).sites.get(A);
      expect(load).toMatchObject({ requestsTotal: 1, serversUp: 1 });

      await worker.apply(state("maintenance"));
      const suspended = await eventually(async () => {
        const answer = await getA();
        return answer.status === 503 ? answer : undefined;
      }, 10_000, "the node to apply the maintenance configuration");
      expect(suspended.body).toContain(MAINTENANCE_PAGE_MARKER);
      // The reload is confirmed (and logged) a moment after the new worker already answers.
      await eventually(async () => lines.find((line) => /^applied configuration \d+: 0 serving, 1 in maintenance/.test(line)), 5000, `the log line (have: ${lines.join(" | ")})`);
      controller.abort();
      await following;
    } finally {
      controller.abort();
      await haproxy.stop();
      await new Promise((resolve) => site.close(resolve));
      await consul.close();
      await rm(nodeDir, { recursive: true, force: true });
    }
  });
});
