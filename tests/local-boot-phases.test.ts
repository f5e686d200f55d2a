// The local site (the process that stands in for a VM) reports its boot as a VM does: the same phases, through
// the portal's real route over HTTP, with the token the render step sealed into its deployment. Each report
// becomes an event of the deployment's operation, and a later boot is told how long each phase usually takes.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/deployments/[id]/boot-phases/route";
import { closeDb, db } from "@/db";
import { deploymentBootPhases, deployments, instanceEvents, type Deployment } from "@/db/schema";
import { renderDeploymentConfig } from "@/jobs/steps/deployment";
import { createLocalComputeDriver } from "@/server/infra/compute/local";
import { siteConfigOf } from "@/server/instances/service-config";
import { uniqueSuffix } from "./helpers/accounts";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";
import { serveRoutes, type RouteHandler } from "./helpers/route-server";
import { stepContext } from "./helpers/step-context";
import { eventually } from "./helpers/waiting";

const PHASE_MS = 150;
const stateDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-local-boot-"));
const compute = createLocalComputeDriver(stateDir, { bootPhaseMs: PHASE_MS });
const routes: Record<string, RouteHandler> = {};
let portal: Awaited<ReturnType<typeof serveRoutes>>;
const servers: string[] = [];

beforeAll(async () => {
  portal = await serveRoutes(routes);
});

afterAll(async () => {
  for (const serverId of servers) await compute.destroyServer(serverId);
  await portal?.close();
  rmSync(stateDir, { recursive: true, force: true });
  await closeDb();
});

/** A deployment rendered by the real step, booted on the local driver, reporting to this test's portal. */
async function bootDeployment(): Promise<{ deployment: Deployment; address: string }> {
  const instance = await registerInstance(await makeVerifiedUser(), { subdomain: `boot-${uniqueSuffix()}` });
  const ctx = await stepContext(instance, { objectStorage: { settings: {} }, compute } as never);
  await renderDeploymentConfig.run(ctx);
  const deployment = (await db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) }))!;
  const reportPath = `/api/deployments/${deployment.id}/boot-phases`;
  routes[reportPath] = (request) => POST(request, { params: Promise.resolve({ id: deployment.id }) });
  const siteConfig = siteConfigOf(deployment) as { bootReport: { url: string; token: string } };
  // The rendered URL is the portal's internal address; this test's portal listens elsewhere. The token is the sealed one.
  expect(siteConfig.bootReport.url.endsWith(reportPath)).toBe(true);
  const server = await compute.ensureServer(
    { deploymentId: deployment.id, instanceId: instance.id, siteConfig: { ...siteConfig, bootReport: { ...siteConfig.bootReport, url: `${portal.url}${reportPath}` } } },
    new AbortController().signal,
  );
  servers.push(server.serverId);
  return { deployment, address: server.address };
}

const bootEventsOf = (deployment: Deployment) =>
  db
    .select()
    .from(instanceEvents)
    .where(and(eq(instanceEvents.instanceId, deployment.instanceId), eq(instanceEvents.kind, "boot_phase")))
    .orderBy(asc(instanceEvents.seq));

describe("the local site's boot", () => {
  let first: Awaited<ReturnType<typeof bootDeployment>>;

  it("answers /heartbeat only once its phases are through, and reports each one through the route", async () => {
    first = await bootDeployment();
    const early = await eventually(async () => fetch(`http://${first.address}/heartbeat`).catch(() => undefined), 10_000, "the site to listen");
    expect(early.status).toBe(503);
    await eventually(async () => ((await fetch(`http://${first.address}/heartbeat`)).ok ? true : undefined), 20_000, "the heartbeat");
    const events = await eventually(async () => {
      const rows = await bootEventsOf(first.deployment);
      return rows.length === 12 ? rows : undefined;
    }, 10_000, "twelve boot reports");
    expect(events.map((event) => `${(event.data as { phase: string }).phase}:${(event.data as { status: string }).status}`)).toEqual(
      ["cloud-init", "docker", "images", "launch", "migrations", "health"].flatMap((phase) => [`${phase}:started`, `${phase}:succeeded`]),
    );
    expect(events.every((event) => event.operationId === first.deployment.operationId && event.step === "boot_server")).toBe(true);
    const rows = await db.select().from(deploymentBootPhases).where(eq(deploymentBootPhases.deploymentId, first.deployment.id));
    expect(rows.map((row) => row.status)).toEqual(Array(6).fill("succeeded"));
  });

  it("tells the next boot how long each phase took before (the median of recent successful boots)", async () => {
    const before = await db.select().from(deploymentBootPhases).where(eq(deploymentBootPhases.deploymentId, first.deployment.id));
    const second = await bootDeployment();
    const events = await eventually(async () => {
      const rows = await bootEventsOf(second.deployment);
      return rows.length === 12 ? rows : undefined;
    }, 20_000, "the second boot's reports");
    const startedImages = events.find((event) => (event.data as { phase: string; status: string }).phase === "images")!;
    const images = before.find((row) => row.phase === "images")!;
    // Each test file has a database of its own: the first boot is the only one to take the median of.
    const firstImagesMs = images.finishedAt!.getTime() - images.startedAt.getTime();
    expect(firstImagesMs).toBeGreaterThanOrEqual(PHASE_MS - 5);
    expect((startedImages.data as { estimateMs: number | null }).estimateMs).toBe(firstImagesMs);
  });
});
