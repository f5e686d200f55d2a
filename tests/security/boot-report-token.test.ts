// The boot-report route over real HTTP against the real route handler: anyone on the internet can reach it, and a
// tenant controls its own VM, so it holds its own deployment's token. That token must not let it write into
// another deployment's (another tenant's) instance page, nor may a retired deployment's token still report.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/deployments/[id]/boot-phases/route";
import { closeDb, db } from "@/db";
import { deploymentBootPhases, deployments, instanceEvents, type Deployment, type Instance } from "@/db/schema";
import { renderDeploymentConfig } from "@/jobs/steps/deployment";
import { bootReportTokenOf } from "@/server/deployments/boot-report-token";
import { MAX_OUTPUT_TAIL_BYTES } from "@/server/deployments/boot-phases";
import { uniqueSuffix } from "../helpers/accounts";
import { makeVerifiedUser, registerInstance } from "../helpers/registration";
import { serveRoutes, type RouteHandler } from "../helpers/route-server";
import { stepContext } from "../helpers/step-context";

type Tenant = { instance: Instance; deployment: Deployment; token: string };

const routes: Record<string, RouteHandler> = {};
let portal: Awaited<ReturnType<typeof serveRoutes>>;
let victim: Tenant;
let attacker: Tenant;

/** A tenant whose deployment went through the real render step, which mints and seals its token. */
async function tenant(name: string): Promise<Tenant> {
  const instance = await registerInstance(await makeVerifiedUser(), { subdomain: `${name}-${uniqueSuffix()}` });
  const ctx = await stepContext(instance, { objectStorage: { settings: {} }, compute: { name: "local" } } as never);
  await renderDeploymentConfig.run(ctx);
  const deployment = (await db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) }))!;
  routes[`/api/deployments/${deployment.id}/boot-phases`] = (request) => POST(request, { params: Promise.resolve({ id: deployment.id }) });
  return { instance, deployment, token: bootReportTokenOf(deployment, deployment.secrets)! };
}

const report = (deploymentId: string, token: string | null, body: unknown = { phase: "images", status: "started", startedAt: new Date().toISOString() }) =>
  fetch(`${portal.url}/api/deployments/${deploymentId}/boot-phases`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token !== null && { authorization: `Bearer ${token}` }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const bootEventsOf = (instanceId: string) =>
  db.select().from(instanceEvents).where(and(eq(instanceEvents.instanceId, instanceId), eq(instanceEvents.kind, "boot_phase")));

beforeAll(async () => {
  portal = await serveRoutes(routes);
  victim = await tenant("victim");
  attacker = await tenant("attacker");
});

afterAll(async () => {
  await portal?.close();
  await closeDb();
});

describe("a deployment's boot report", () => {
  it("each deployment gets its own token, sealed, and its URL in the configuration", () => {
    expect(victim.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(victim.token).not.toBe(attacker.token);
    expect(JSON.stringify(victim.deployment.config)).not.toContain(victim.token);
    expect(victim.deployment.secrets).not.toContain(victim.token);
    expect(victim.deployment.config).toMatchObject({ bootReport: { url: expect.stringMatching(new RegExp(`/api/deployments/${victim.deployment.id}/boot-phases$`)) } });
  });

  it("is accepted with the deployment's own token and shows as an event of its operation", async () => {
    const response = await report(attacker.deployment.id, attacker.token);
    expect(response.status).toBe(204);
    const [event] = await bootEventsOf(attacker.instance.id);
    expect(event).toMatchObject({ operationId: attacker.deployment.operationId, step: "boot_server", data: { phase: "images", status: "started" } });
  });

  it("is refused (403) with another deployment's token, and nothing is recorded for the victim", async () => {
    const response = await report(victim.deployment.id, attacker.token, { phase: "migrations", status: "failed", startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), outputTail: "Your site was hacked" });
    expect(response.status).toBe(403);
    expect(await bootEventsOf(victim.instance.id)).toEqual([]);
    expect(await db.select().from(deploymentBootPhases).where(eq(deploymentBootPhases.deploymentId, victim.deployment.id))).toEqual([]);
  });

  it("is refused without a token (401), with a made-up one and for an unknown deployment (403)", async () => {
    expect((await report(victim.deployment.id, null)).status).toBe(401);
    expect((await report(victim.deployment.id, "x".repeat(43))).status).toBe(403);
    expect((await report(victim.deployment.id, "")).status).toBe(401);
    routes["/api/deployments/not-a-uuid/boot-phases"] = (request) => POST(request, { params: Promise.resolve({ id: "not-a-uuid" }) });
    expect((await report("not-a-uuid", victim.token)).status).toBe(403);
  });

  it("is refused (403) once the deployment is retired, with its own token", async () => {
    const retiring = await tenant("retired");
    expect((await report(retiring.deployment.id, retiring.token)).status).toBe(204);
    await db.update(deployments).set({ status: "terminated", terminatedAt: new Date() }).where(eq(deployments.id, retiring.deployment.id));
    expect((await report(retiring.deployment.id, retiring.token)).status).toBe(403);
  });

  it("refuses a phase outside the list and a body past the cap before storing anything", async () => {
    expect((await report(victim.deployment.id, victim.token, { phase: "rm -rf", status: "started", startedAt: new Date().toISOString() })).status).toBe(400);
    expect((await report(victim.deployment.id, victim.token, "{not json")).status).toBe(400);
    const huge = { phase: "images", status: "failed", startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), outputTail: "x".repeat(64 * 1024) };
    expect((await report(victim.deployment.id, victim.token, huge)).status).toBe(413);
    expect(await bootEventsOf(victim.instance.id)).toEqual([]);
  });

  it("keeps the last 4 KB of a failing phase's output, with the instance's secrets scrubbed from it", async () => {
    const startedAt = new Date(Date.now() - 90_000).toISOString();
    // What a failing migration might print: a connection string with the token the VM itself holds, and a pair.
    const output = `${"early noise\n".repeat(600)}django.db.utils.OperationalError: mysql://edxapp:hunter22secret@db/edx refused\ntoken=${victim.token}\nlast line: migration 0042 failed\n`;
    const response = await report(victim.deployment.id, victim.token, { phase: "migrations", status: "failed", startedAt, finishedAt: new Date().toISOString(), outputTail: output });
    expect(response.status).toBe(204);
    const [row] = await db.select().from(deploymentBootPhases).where(eq(deploymentBootPhases.deploymentId, victim.deployment.id));
    expect(Buffer.byteLength(row!.outputTail!)).toBeLessThanOrEqual(MAX_OUTPUT_TAIL_BYTES);
    expect(row!.outputTail).toContain("last line: migration 0042 failed");
    expect(row!.outputTail).not.toContain("hunter22secret");
    expect(row!.outputTail).not.toContain(victim.token);
    const [event] = await bootEventsOf(victim.instance.id);
    expect(event).toMatchObject({ level: "error", data: { phase: "migrations", status: "failed", outputTail: row!.outputTail } });
    expect(event!.message).toContain("last line: migration 0042 failed");
  });
});
