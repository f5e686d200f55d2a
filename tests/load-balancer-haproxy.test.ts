// A real HAProxy (Debian's, master-worker mode) on free ports, fed the rendered configuration: Host-based
// routing, the maintenance and 'being prepared' pages, the ACME route, SNI certificates from the crt-list,
// reloads under traffic that fail no request, and a configuration `haproxy -c` refuses.
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaproxyConfigRefusedError, HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { MAINTENANCE_PAGE_MARKER, PREPARING_PAGE_MARKER } from "@/server/infra/load-balancer/pages";
import { selfSignedPemPair, type PemPair } from "@/server/infra/load-balancer/default-certificate";
import type { LoadBalancedSite, LoadBalancerState } from "@/server/infra/load-balancer/state";
import { freePort } from "@/server/net/free-port";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

const HAPROXY = HAPROXY_BIN;
const skipWithoutHaproxy = skipWithout("haproxy");

const A = "0a0a0a0a-0000-4000-8000-000000000001";
const B = "0b0b0b0b-0000-4000-8000-000000000002";
const C = "0c0c0c0c-0000-4000-8000-000000000003";

/** A stand-in application server (or the portal): says who it is, what host and path it was asked for. */
async function startBackend(label: string) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" }).end(`${label} ${req.headers.host} ${req.url} ${req.headers["x-forwarded-proto"] ?? "-"}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Answer = { status: number; body: string };

function get(port: number, host: string, urlPath = "/", agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: urlPath, headers: { host }, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** The certificate HAProxy presents for an SNI name (or none), and the answer to a request over it. */
function getTls(port: number, servername: string | undefined, ca: string[]): Promise<Answer & { subject: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: "127.0.0.1", port, path: "/", servername, headers: { host: servername ?? "unknown.test" }, ca, rejectUnauthorized: false, agent: false },
      (res) => {
        const subject = String((res.socket as tls.TLSSocket).getPeerCertificate().subject?.CN ?? "");
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, subject }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(skipWithoutHaproxy)("the HAProxy load balancer", () => {
  let dir: string;
  let lb: HaproxyLoadBalancer;
  let child: ChildProcess;
  let httpPort: number;
  let httpsPort: number;
  const backends: Awaited<ReturnType<typeof startBackend>>[] = [];
  let siteA: Awaited<ReturnType<typeof startBackend>>;
  let siteB: Awaited<ReturnType<typeof startBackend>>;
  let portal: Awaited<ReturnType<typeof startBackend>>;
  let certificateA: PemPair;
  let defaultCertificate: PemPair;
  const output: string[] = [];

  const site = (instanceId: string, root: string, backendAddress: string | null, mode: LoadBalancedSite["mode"]): LoadBalancedSite => ({
    instanceId,
    hostnames: [root, `studio.${root}`],
    backendAddresses: backendAddress ? [backendAddress] : [],
    mode,
  });

  function state(sites: LoadBalancedSite[]): LoadBalancerState {
    return {
      httpBind: `127.0.0.1:${httpPort}`,
      httpsBind: `127.0.0.1:${httpsPort}`,
      portalAddress: portal.address,
      sites,
      certificates: [{ hostnames: ["a.test", "studio.a.test"], ...certificateA }],
      defaultCertificate,
    };
  }

  const normalSites = () => [site(A, "a.test", siteA.address, "serving"), site(B, "b.test", siteB.address, "serving")];

  beforeAll(async () => {
    [siteA, siteB, portal] = await Promise.all([startBackend("site-a"), startBackend("site-b"), startBackend("portal")]);
    backends.push(siteA, siteB, portal);
    [certificateA, defaultCertificate] = await Promise.all([selfSignedPemPair(["a.test", "studio.a.test"]), selfSignedPemPair(["default.invalid"])]);
    httpPort = await freePort();
    httpsPort = await freePort();
    dir = await mkdtemp(path.join(os.tmpdir(), "lyceum-haproxy-"));
    lb = new HaproxyLoadBalancer(dir, HAPROXY);
    child = await lb.start(state(normalSites()), { onOutput: (line) => output.push(line) });
  });

  afterAll(async () => {
    await lb?.stop();
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(backends.map(({ server }) => new Promise((resolve) => server.close(resolve))));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("routes two instances by their Host header, port and case aside, and unknown names to the portal", async () => {
    await lb.apply(state(normalSites()));
    expect((await get(httpPort, "a.test")).body).toMatch(/^site-a a\.test \/ http$/);
    expect((await get(httpPort, `STUDIO.A.test:${httpPort}`, "/courses")).body).toMatch(/^site-a /);
    expect((await get(httpPort, "b.test", "/x?y=1")).body).toMatch(/^site-b b\.test \/x\?y=1 /);
    expect((await get(httpPort, "studio.b.test")).body).toMatch(/^site-b /);
    const unknown = await get(httpPort, "nobody.test");
    expect(unknown).toMatchObject({ status: 200 });
    expect(unknown.body).toMatch(/^portal nobody\.test /);
  });

  it("answers ACME HTTP-01 challenges for every name from the portal", async () => {
    await lb.apply(state([site(A, "a.test", siteA.address, "serving"), site(B, "b.test", null, "maintenance")]));
    for (const host of ["a.test", "b.test", "new-name.example"]) {
      const answer = await get(httpPort, host, "/.well-known/acme-challenge/token-123");
      expect(answer.body).toBe(`portal ${host} /.well-known/acme-challenge/token-123 http`);
    }
  });

  it("shows a suspended instance's maintenance page and leaves the other instance alone", async () => {
    await lb.apply(state([site(A, "a.test", siteA.address, "maintenance"), site(B, "b.test", siteB.address, "serving")]));
    for (const host of ["a.test", "studio.a.test"]) {
      const answer = await get(httpPort, host, "/dashboard");
      expect(answer.status).toBe(503);
      expect(answer.body).toContain(MAINTENANCE_PAGE_MARKER);
    }
    expect((await get(httpPort, "b.test")).body).toMatch(/^site-b /);
    // Resumed: the site again.
    await lb.apply(state(normalSites()));
    expect((await get(httpPort, "a.test")).body).toMatch(/^site-a /);
  });

  it("shows the 'being prepared' page while an instance has no healthy deployment", async () => {
    await lb.apply(state([...normalSites(), site(C, "c.test", null, "preparing")]));
    const answer = await get(httpPort, "c.test");
    expect(answer.status).toBe(503);
    expect(answer.body).toContain(PREPARING_PAGE_MARKER);
  });

  it("serves each name's certificate from the crt-list by SNI, and the default one otherwise", async () => {
    await lb.apply(state(normalSites()));
    const a = await getTls(httpsPort, "studio.a.test", [certificateA.chainPem]);
    expect(a.subject).toBe("a.test");
    expect(a.body).toMatch(/^site-a studio\.a\.test \/ https$/);
    const other = await getTls(httpsPort, "b.test", []);
    expect(other.subject).toBe("default.invalid");
    expect(other.body).toMatch(/^site-b /);
  });

  it("removes a torn-down instance's backend and leaves every other instance as it was", async () => {
    await lb.apply(state([...normalSites(), site(C, "c.test", siteA.address, "serving")]));
    expect((await get(httpPort, "c.test")).body).toMatch(/^site-a c\.test/);
    await lb.apply(state(normalSites()));
    const config = await readFile(lb.paths.currentConfig, "utf8");
    expect(config).not.toContain(C);
    expect((await get(httpPort, "c.test")).body).toMatch(/^portal c\.test/);
    expect((await get(httpPort, "a.test")).body).toMatch(/^site-a /);
    expect((await get(httpPort, "b.test")).body).toMatch(/^site-b /);
  });

  it("refuses a configuration haproxy -c rejects and keeps serving the previous one", async () => {
    await lb.apply(state(normalSites()));
    const before = await readlink(lb.paths.current);
    const broken = state([...normalSites(), site(C, "c.test", "no-such-host.invalid:8080", "serving")]);
    const refusal = lb.apply(broken);
    await expect(refusal).rejects.toBeInstanceOf(HaproxyConfigRefusedError);
    await expect(refusal).rejects.toThrow(/no-such-host\.invalid.*previous configuration keeps serving/);
    expect(await readlink(lb.paths.current)).toBe(before);
    expect((await get(httpPort, "a.test")).body).toMatch(/^site-a /);
    expect((await get(httpPort, "c.test")).body).toMatch(/^portal /);
  });

  it("removes a replaced certificate's file (and private key) once no kept configuration names it", async () => {
    const renewed = await selfSignedPemPair(["a.test", "studio.a.test"]);
    const withCertificate = (certificate: PemPair, sites: LoadBalancedSite[]) => ({
      ...state(sites),
      certificates: [{ hostnames: ["a.test", "studio.a.test"], ...certificate }],
    });
    await lb.apply(withCertificate(certificateA, normalSites()));
    const before = await readdir(lb.paths.certs);
    for (let i = 0; i < 4; i += 1) {
      const sites = i % 2 === 0 ? [...normalSites(), site(C, "c.test", null, "preparing")] : normalSites();
      await lb.apply(withCertificate(renewed, sites));
    }
    const after = await readdir(lb.paths.certs);
    expect(after).toHaveLength(2); // the default certificate and the renewed one
    expect(before.filter((name) => !after.includes(name))).toHaveLength(1);
    const served = await getTls(httpsPort, "a.test", [renewed.chainPem]);
    expect(served.body).toMatch(/^site-a /);
    await lb.apply(state(normalSites()));
  });

  it("does not reload for an unchanged state", async () => {
    await lb.apply(state(normalSites()));
    const { reloads } = await lb.processList();
    expect(await lb.apply(state(normalSites()))).toMatchObject({ isChanged: false });
    expect((await lb.processList()).reloads).toBe(reloads);
  });

  it("fails no request while it reloads during traffic", async () => {
    await lb.apply(state(normalSites()));
    let isHammering = true;
    const failures: string[] = [];
    let succeeded = 0;
    const client = async (agent: http.Agent | false, host: string, expected: RegExp) => {
      while (isHammering) {
        try {
          const answer = await get(httpPort, host, "/", agent);
          if (answer.status === 200 && expected.test(answer.body)) succeeded += 1;
          else failures.push(`${host}: HTTP ${answer.status} ${answer.body.slice(0, 80)}`);
        } catch (error) {
          failures.push(`${host}: ${(error as Error).message}`);
        }
      }
    };
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const clients = [
      ...[0, 1, 2].map(() => client(new http.Agent({ keepAlive: true, maxSockets: 1 }), "a.test", /^site-a /)),
      client(keepAlive, "b.test", /^site-b /),
      ...[0, 1, 2].map(() => client(false, "b.test", /^site-b /)),
    ];
    const reloadsBefore = (await lb.processList()).reloads;
    // Each apply changes the state (a third instance comes and goes), so each one reloads HAProxy.
    for (let i = 0; i < 6; i += 1) {
      const sites = i % 2 === 0 ? [...normalSites(), site(C, "c.test", null, "preparing")] : normalSites();
      expect(await lb.apply(state(sites))).toMatchObject({ isChanged: true });
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    isHammering = false;
    await Promise.all(clients);
    expect((await lb.processList()).reloads - reloadsBefore).toBe(6);
    expect(failures).toEqual([]);
    expect(succeeded).toBeGreaterThan(100);
  });
});

describe.skipIf(skipWithoutHaproxy)("starting HAProxy", () => {
  it("says why it could not start, e.g. a port that is taken", async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    const dir = await mkdtemp(path.join(os.tmpdir(), "lyceum-haproxy-"));
    try {
      const lb = new HaproxyLoadBalancer(dir, HAPROXY);
      const state: LoadBalancerState = {
        httpBind: `127.0.0.1:${port}`,
        httpsBind: null,
        portalAddress: "127.0.0.1:3000",
        sites: [],
        certificates: [],
        defaultCertificate: await selfSignedPemPair(["default.invalid"]),
      };
      await expect(lb.start(state)).rejects.toThrow(/haproxy exited \(1\) while starting: .*(cannot bind|Address already in use)/i);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
