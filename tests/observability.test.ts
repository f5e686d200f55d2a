// The web's metrics, Prometheus service discovery and readiness endpoints, and the worker's own metrics
// port, over real HTTP against a real database and worker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();
const TOKEN = "observability-test-token-0123456789";
process.env.LYCEUM_METRICS_TOKEN = TOKEN;

const { db, closeDb } = await import("@/db");
const { deployments, instances } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { streamInstanceEvents } = await import("@/server/events/stream");
const { createInstance } = await import("./helpers/registration");
const { eq } = await import("drizzle-orm");
const { makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { serveRoutes } = await import("./helpers/route-server");
const metricsRoute = await import("@/app/api/metrics/route");
const targetsRoute = await import("@/app/api/prometheus/targets/route");
const workersRoute = await import("@/app/api/prometheus/workers/route");
const readyRoute = await import("@/app/api/ready/route");
const healthRoute = await import("@/app/api/health/route");

let portal: Awaited<ReturnType<typeof serveRoutes>>;
let worker: Awaited<ReturnType<typeof startWorker>> | null = null;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  portal = await serveRoutes({
    "/api/metrics": metricsRoute.GET,
    "/api/prometheus/targets": targetsRoute.GET,
    "/api/prometheus/workers": workersRoute.GET,
    "/api/ready": readyRoute.GET,
    "/api/health": healthRoute.GET,
  });
});

afterAll(async () => {
  await worker?.stop();
  await portal?.close();
  await closeDb();
});

async function runningInstance(address: string) {
  const owner = await makeUser();
  const instance = await createInstance(owner.id, { name: "Scraped", subdomain: `scr-${uniqueSuffix()}`, plan: "growth" });
  const [deployment] = await db.insert(deployments).values({ instanceId: instance.id, computeDriver: "none", status: "running", address }).returning();
  await db.update(instances).set({ status: "running", activeDeploymentId: deployment!.id }).where(eq(instances.id, instance.id));
  return { instance, deployment: deployment! };
}

describe("readiness", () => {
  it("is not ready while no worker is alive, and names that check; ready once one beats", async () => {
    const before = await fetch(`${portal.url}/api/ready`);
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ status: "not ready", failedChecks: ["workers"] });

    worker = await startWorker({ concurrency: 1, quiet: true });
    const after = await fetch(`${portal.url}/api/ready`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: "ready", failedChecks: [] });
    expect((await fetch(`${portal.url}/api/health`)).status).toBe(200);
  });
});

describe("web metrics", () => {
  it("answers only with the bearer token", async () => {
    expect((await fetch(`${portal.url}/api/metrics`)).status).toBe(401);
    expect((await fetch(`${portal.url}/api/metrics`, { headers: { authorization: "Bearer wrong-token-of-the-same-sort" } })).status).toBe(401);
    const response = await fetch(`${portal.url}/api/metrics`, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
  });

  it("times requests by route and gives each request an id, kept when the caller sent one", async () => {
    const fresh = await fetch(`${portal.url}/api/health`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${portal.url}/api/health`, { headers: { "x-request-id": "lb-1234567890" } });
    expect(given.headers.get("x-request-id")).toBe("lb-1234567890");
    const text = await (await fetch(`${portal.url}/api/metrics`, { headers: auth })).text();
    expect(text).toMatch(/lyceum_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status="200"\} [1-9]/);
    expect(text).toMatch(/lyceum_http_request_duration_seconds_count\{method="GET",route="\/api\/metrics",status="401"\} [1-9]/);
  });

  it("reports the fleet by status, the queue, live workers and open event streams", async () => {
    const { instance } = await runningInstance("127.0.0.1:9");
    const controller = new AbortController();
    const stream = streamInstanceEvents(instance.id, 0, controller.signal);
    await stream.next(); // subscribed and reading
    const open = await (await fetch(`${portal.url}/api/metrics`, { headers: auth })).text();
    expect(open).toMatch(/^lyceum_sse_streams_open 1$/m);
    expect(open).toMatch(/^lyceum_instances\{status="running"\} 1$/m);
    expect(open).toMatch(/^lyceum_instances\{status="failed"\} 0$/m);
    expect(open).toMatch(/^lyceum_workers_live 1$/m);
    expect(open).toMatch(/^lyceum_queue_oldest_waiting_job_age_seconds \d/m);
    controller.abort();
    await stream.return(undefined);
    const closed = await (await fetch(`${portal.url}/api/metrics`, { headers: auth })).text();
    expect(closed).toMatch(/^lyceum_sse_streams_open 0$/m);
  });
});

describe("Prometheus service discovery", () => {
  it("lists each running instance's active deployment with its labels, and nothing else", async () => {
    const { instance, deployment } = await runningInstance("127.0.0.1:19999");
    const owner = await makeUser();
    const unpaid = await createInstance(owner.id, { name: "Unpaid", subdomain: `unp-${uniqueSuffix()}`, plan: "starter" });
    expect((await fetch(`${portal.url}/api/prometheus/targets`)).status).toBe(401);
    const groups = (await (await fetch(`${portal.url}/api/prometheus/targets`, { headers: auth })).json()) as { targets: string[]; labels: Record<string, string> }[];
    expect(groups).toContainEqual({
      targets: ["127.0.0.1:19999"],
      labels: { __metrics_path__: "/metrics", instance_id: instance.id, subdomain: instance.subdomain, plan: "growth", deployment_id: deployment.id, component: "site" },
    });
    expect(JSON.stringify(groups)).not.toContain(unpaid.id);
  });

  it("lists live workers, whose own metrics port answers with the token", async () => {
    const groups = (await (await fetch(`${portal.url}/api/prometheus/workers`, { headers: auth })).json()) as { targets: string[]; labels: Record<string, string> }[];
    expect(groups).toEqual([{ targets: [worker!.metricsAddress!], labels: expect.objectContaining({ worker_process: worker!.processId }) }]);
    expect((await fetch(`http://${worker!.metricsAddress}/metrics`)).status).toBe(401);
    const text = await (await fetch(`http://${worker!.metricsAddress}/metrics`, { headers: auth })).text();
    expect(text).toContain("# TYPE lyceum_jobs_processed_total counter");
    expect(text).toContain("# TYPE lyceum_pipeline_step_duration_seconds histogram");
    expect(text).toContain("process_cpu_seconds_total");
  });
});
