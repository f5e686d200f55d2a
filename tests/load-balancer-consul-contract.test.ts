// The Consul driver against a loopback agent that speaks Consul's KV API: what it publishes is exactly the
// rendered configuration for the nodes' directory, the manifest moves by check-and-set only, nodes can
// follow it with blocking queries, and the token travels in the header.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsulConflictError, ConsulLoadBalancer } from "@/server/infra/load-balancer/consul";
import { HaproxyConfigRefusedError } from "@/server/infra/load-balancer/haproxy";
import { selfSignedCertificate, type PemPair } from "@/server/infra/load-balancer/self-signed";
import type { LoadBalancedSite, LoadBalancerState } from "@/server/infra/load-balancer/state";
import { startFakeConsul } from "./helpers/fake-consul";

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
  const serving = (): LoadBalancedSite => ({ instanceId: A, hostnames: ["a.example.org", "studio.a.example.org"], backendAddress: "10.0.1.7:80", mode: "serving" });

  beforeAll(async () => {
    consul = await startFakeConsul(TOKEN);
    certificate = await selfSignedCertificate(["a.example.org"]);
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
    const waiting = driver.readManifest({ index: before!.modifyIndex, wait: "10s" });
    await driver.apply(state([{ ...serving(), mode: "maintenance", backendAddress: null }]));
    const after = await waiting;
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
    await expect(racing.apply(state([{ ...serving(), mode: "preparing", backendAddress: null }]))).rejects.toBeInstanceOf(ConsulConflictError);
    const files = await driver.readFiles((await driver.readManifest())!.manifest);
    expect(files["config/hosts.map"]).toBe(""); // the other worker's state stands
  });

  it("checks the configuration with haproxy -c before publishing it", async () => {
    const before = await driver.readManifest();
    const broken = state([{ ...serving(), backendAddress: "no-such-host.invalid:80" }]);
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
