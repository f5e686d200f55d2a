// The load balancer rendered from the database, on a real HAProxy: instances appear with the 'being prepared'
// page, then their active deployment; suspend and resume go through it (the real pipelines); teardown takes
// one instance's names and backend away and leaves the others as they were.
import { eq } from "drizzle-orm";
import { readFile, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFromEdge } from "./helpers/raw-http";
import { db } from "@/db";
import { deployments, instanceOperations, instances, type OperationKind } from "@/db/schema";
import { runOperation } from "@/jobs/runner/runner";
import { resumePipeline } from "@/jobs/pipelines/resume";
import { suspendPipeline } from "@/jobs/pipelines/suspend";
import { syncLoadBalancerFromDb } from "@/jobs/steps/load-balancer";
import { parseEnv } from "@/server/env";
import { infra, setInfrastructure, type Infrastructure } from "@/server/infra";
import { createLoadBalancerFrontDoor } from "@/server/infra/front-door/load-balancer";
import { createLoadBalancer } from "@/server/infra/load-balancer";
import { haproxyDirIn, HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { MAINTENANCE_PAGE_MARKER, PREPARING_PAGE_MARKER } from "@/server/infra/load-balancer/pages";
import { routedHostnames } from "@/server/instances/hostnames";
import { transitionInstance } from "@/server/instances/lifecycle";
import { freePort } from "@/server/net/free-port";
import { makeUser, uniqueSuffix } from "./helpers/accounts";
import { createInstance } from "./helpers/registration";
import { HAPROXY_BIN, skipWithout } from "./helpers/system-tools";

const HAPROXY = HAPROXY_BIN;
const skipWithoutHaproxy = skipWithout("haproxy");

async function startSiteServer(label: string) {
  const server = http.createServer((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`${label} ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}


describe.skipIf(skipWithoutHaproxy)("the load balancer kept in sync with the database", () => {
  let httpPort: number;
  let haproxy: HaproxyLoadBalancer;
  let previousInfra: Infrastructure;
  const servers: http.Server[] = [];
  let portalAddress: string;
  const ctx = () => ({ db, infra: infra(), signal: new AbortController().signal });

  beforeAll(async () => {
    const portal = await startSiteServer("portal");
    servers.push(portal.server);
    portalAddress = portal.address;
    httpPort = await freePort();
    const config = parseEnv({
      ...process.env,
      LOAD_BALANCER_DRIVER: "haproxy",
      HAPROXY_BIN: HAPROXY,
      HAPROXY_HTTP_PORT: String(httpPort),
      HAPROXY_HTTPS_PORT: String(await freePort()),
      LOAD_BALANCER_PORTAL_ADDRESS: portalAddress,
    });
    const loadBalancer = createLoadBalancer(config, { siteHostnames: routedHostnames })!;
    haproxy = new HaproxyLoadBalancer(haproxyDirIn(config.LYCEUM_STATE_DIR), HAPROXY);
    await haproxy.start(await loadBalancer.stateFrom(db));
    previousInfra = infra();
    setInfrastructure({ ...previousInfra, loadBalancer, frontDoor: createLoadBalancerFrontDoor(loadBalancer, db) });
  });

  afterAll(async () => {
    setInfrastructure(previousInfra);
    await haproxy?.stop();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    if (haproxy) await rm(haproxy.paths.root, { recursive: true, force: true });
  });

  /** A paid instance, provisioning; with `site`, its deployment is up and active and the instance running. */
  async function instanceWith(site: { address: string } | null) {
    const owner = await makeUser();
    const subdomain = `lb-${uniqueSuffix()}`;
    const instance = await createInstance(owner.id, { name: "Balanced Academy", subdomain, plan: "starter" });
    for (const to of ["queued", "provisioning"] as const) await transitionInstance(db, instance.id, to, { message: `test: ${to}` });
    if (site) {
      const [deployment] = await db
        .insert(deployments)
        .values({ instanceId: instance.id, computeDriver: "local", status: "running", address: site.address, activatedAt: new Date() })
        .returning();
      await db.update(instances).set({ activeDeploymentId: deployment!.id }).where(eq(instances.id, instance.id));
      await transitionInstance(db, instance.id, "running", { message: "test: running" });
    }
    return { id: instance.id, host: `${subdomain}.localhost` };
  }

  async function runOperationOf(kind: OperationKind, instanceId: string) {
    const [operation] = await db.insert(instanceOperations).values({ instanceId, kind }).returning();
    const pipeline = kind === "suspend" ? suspendPipeline : resumePipeline;
    await runOperation(pipeline, operation!.id, { number: 1, maxAttempts: 1 });
  }

  it("shows the 'being prepared' page until an instance has a healthy deployment, then its site", async () => {
    const site = await startSiteServer("site-new");
    servers.push(site.server);
    const fresh = await instanceWith(null);
    await syncLoadBalancerFromDb(ctx());
    for (const host of [fresh.host, `studio-${fresh.host}`, `apps-${fresh.host}:${httpPort}`]) {
      const answer = await getFromEdge(httpPort, host);
      expect(answer.status).toBe(503);
      expect(answer.body).toContain(PREPARING_PAGE_MARKER);
    }

    // The deployment comes up but is not healthy yet: still being prepared.
    const [deployment] = await db.insert(deployments).values({ instanceId: fresh.id, computeDriver: "local", status: "configuring", address: site.address }).returning();
    await db.update(instances).set({ activeDeploymentId: deployment!.id }).where(eq(instances.id, fresh.id));
    expect(await syncLoadBalancerFromDb(ctx())).toMatch(/^haproxy already up to date/);
    expect((await getFromEdge(httpPort, fresh.host)).body).toContain(PREPARING_PAGE_MARKER);

    await db.update(deployments).set({ status: "running" }).where(eq(deployments.id, deployment!.id));
    expect(await syncLoadBalancerFromDb(ctx())).toMatch(/^haproxy reloaded: \d+ serving/);
    expect(await getFromEdge(httpPort, fresh.host, "/courses")).toEqual({ status: 200, body: "site-new /courses" });
  });

  it("sends ACME challenges on an instance's names to the portal", async () => {
    const site = await startSiteServer("site-acme");
    servers.push(site.server);
    const instance = await instanceWith(site);
    await syncLoadBalancerFromDb(ctx());
    expect((await getFromEdge(httpPort, instance.host, "/.well-known/acme-challenge/abc")).body).toBe("portal /.well-known/acme-challenge/abc");
    expect((await getFromEdge(httpPort, instance.host, "/")).body).toBe("site-acme /");
  });

  it("suspends through the load balancer (maintenance page) and resumes, leaving the other instance alone", async () => {
    const [siteA, siteB] = await Promise.all([startSiteServer("site-a"), startSiteServer("site-b")]);
    servers.push(siteA.server, siteB.server);
    const a = await instanceWith(siteA);
    const b = await instanceWith(siteB);
    await syncLoadBalancerFromDb(ctx());
    expect((await getFromEdge(httpPort, a.host)).body).toBe("site-a /");

    await runOperationOf("suspend", a.id);
    expect((await db.query.instances.findFirst({ where: eq(instances.id, a.id) }))!.status).toBe("suspended");
    const suspended = await getFromEdge(httpPort, a.host, "/dashboard");
    expect(suspended.status).toBe(503);
    expect(suspended.body).toContain(MAINTENANCE_PAGE_MARKER);
    expect(await infra().frontDoor.isShowingMaintenancePage(a.id)).toBe(true);
    expect((await getFromEdge(httpPort, b.host)).body).toBe("site-b /");

    // Another instance's sync (e.g. a provisioning finishing) keeps the suspended one in maintenance.
    await syncLoadBalancerFromDb(ctx());
    expect((await getFromEdge(httpPort, a.host)).status).toBe(503);

    await runOperationOf("resume", a.id);
    expect((await db.query.instances.findFirst({ where: eq(instances.id, a.id) }))!.status).toBe("running");
    expect(await getFromEdge(httpPort, a.host)).toEqual({ status: 200, body: "site-a /" });
    expect(await infra().frontDoor.isShowingMaintenancePage(a.id)).toBe(false);
  });

  it("removes a deprovisioned instance's names and backend and leaves every other instance as it was", async () => {
    const [siteA, siteB] = await Promise.all([startSiteServer("site-gone"), startSiteServer("site-stays")]);
    servers.push(siteA.server, siteB.server);
    const gone = await instanceWith(siteA);
    const stays = await instanceWith(siteB);
    await syncLoadBalancerFromDb(ctx());
    const mapBefore = await readFile(`${haproxy.paths.current}/hosts.map`, "utf8");
    expect(mapBefore).toContain(gone.host);

    await transitionInstance(db, gone.id, "deprovisioning", { message: "test: deprovisioning" });
    await syncLoadBalancerFromDb(ctx());
    const config = await readFile(haproxy.paths.currentConfig, "utf8");
    const mapAfter = await readFile(`${haproxy.paths.current}/hosts.map`, "utf8");
    expect(config).not.toContain(gone.id);
    // Exactly its four names left the map; every other line is as it was.
    expect(mapBefore.split("\n").filter((line) => !line.includes(gone.host))).toEqual(mapAfter.split("\n"));
    expect((await getFromEdge(httpPort, gone.host)).body).toBe("portal /");
    expect((await getFromEdge(httpPort, stays.host)).body).toBe("site-stays /");
  });

  it("takes turns when several syncs run at once, and the last one serves the database as it is", async () => {
    const site = await startSiteServer("site-turns");
    servers.push(site.server);
    const instance = await instanceWith(site);
    const { failedReloads } = await haproxy.processList();
    // Each sync changes the maintenance flag just before it runs, so each one has something to apply.
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        await db.update(instances).set({ maintenancePageSince: i % 2 === 0 ? new Date() : null }).where(eq(instances.id, instance.id));
        return syncLoadBalancerFromDb(ctx());
      }),
    );
    const isInMaintenance = Boolean((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))!.maintenancePageSince);
    expect((await getFromEdge(httpPort, instance.host)).status).toBe(isInMaintenance ? 503 : 200);
    expect((await haproxy.processList()).failedReloads).toBe(failedReloads);
  });
});
