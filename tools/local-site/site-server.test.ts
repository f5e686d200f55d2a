// The local site as the local compute driver runs it: `node site-server.mjs <site.json> <deployment id>`, a
// process serving the instance's themed site, /heartbeat and /metrics, which rereads its file on SIGHUP.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/net/free-port";
import { eventually } from "@/tests/helpers/waiting";

const SITE_SERVER = path.join(import.meta.dirname, "site-server.mjs");
const dir = mkdtempSync(path.join(os.tmpdir(), "lyceum-local-site-"));
const configPath = path.join(dir, "site.json");
const frontDoorFile = path.join(dir, "front-door.json");
const deploymentId = randomUUID();
let port: number;
let child: ChildProcess;

const siteConfig = (overrides: Record<string, unknown> = {}) => ({
  instanceName: "Physics <Academy>",
  configVersion: "v1",
  theme: { headerBackground: "#123456" },
  pages: [{ path: "/about", title: "About us", html: "<p>We teach physics.</p>" }],
  port,
  host: "127.0.0.1",
  frontDoorFile,
  ...overrides,
});

const get = (pathname: string) => fetch(`http://127.0.0.1:${port}${pathname}`);

beforeAll(async () => {
  port = await freePort();
  writeFileSync(configPath, JSON.stringify(siteConfig()));
  child = spawn(process.execPath, [SITE_SERVER, configPath, deploymentId], { stdio: "ignore" });
  await eventually(async () => ((await get("/heartbeat")).ok ? true : undefined), 10_000, "the site to answer");
});

afterAll(() => {
  child?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe("the local site", () => {
  it("answers /heartbeat with its deployment, configuration version and server", async () => {
    // Server 0 of a deployment is named after the deployment alone (server/infra/compute/driver.ts, serverKeyOf).
    expect(await (await get("/heartbeat")).json()).toEqual({ status: "ok", deploymentId, configVersion: "v1", maintenance: false, server: deploymentId });
  });

  it("serves the themed home page with the instance's name escaped", async () => {
    const html = await (await get("/")).text();
    expect(html).toContain("<h1>Physics &lt;Academy&gt;</h1>");
    expect(html).toContain("background: #123456");
  });

  it("serves the instance's pages under a policy that runs no script, and 404 elsewhere", async () => {
    const about = await get("/about");
    expect([about.status, about.headers.get("content-security-policy")]).toEqual([200, "script-src 'none'"]);
    expect(await about.text()).toContain("<p>We teach physics.</p>");
    expect((await get("/nowhere")).status).toBe(404);
  });

  it("exposes Prometheus metrics", async () => {
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("lyceum_site_up 1");
    expect(metrics).toMatch(/lyceum_site_requests_total\{path="\/heartbeat"\} \d+/);
  });

  it("shows the maintenance page while the front-door file says so, but keeps answering /heartbeat", async () => {
    writeFileSync(frontDoorFile, JSON.stringify({ maintenance: true }));
    try {
      const home = await get("/");
      expect([home.status, home.headers.get("retry-after")]).toEqual([503, "3600"]);
      expect(await home.text()).toContain("is temporarily unavailable");
      expect(await (await get("/heartbeat")).json()).toMatchObject({ status: "ok", maintenance: true });
    } finally {
      rmSync(frontDoorFile, { force: true });
    }
  });

  it("rereads its configuration on SIGHUP", async () => {
    writeFileSync(configPath, JSON.stringify(siteConfig({ configVersion: "v2", instanceName: "Chemistry Academy" })));
    child.kill("SIGHUP");
    await eventually(async () => ((await (await get("/heartbeat")).json()).configVersion === "v2" ? true : undefined), 5_000, "the new version");
    expect(await (await get("/")).text()).toContain("<h1>Chemistry Academy</h1>");
  });
});
