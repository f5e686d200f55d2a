// The shipped Prometheus configuration and alerts, checked by Debian's promtool, and a real Prometheus on
// loopback that scrapes the portal and finds the workers and instances through its http_sd endpoints.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();
const TOKEN = "prometheus-test-token-0123456789";
process.env.LYCEUM_METRICS_TOKEN = TOKEN;

const { eq } = await import("drizzle-orm");
const { db, closeDb } = await import("@/db");
const { deployments, instances } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { createInstance } = await import("./helpers/registration");
const { freePort } = await import("@/server/net/free-port");
const { makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { serveRoutes } = await import("./helpers/route-server");
const { eventually } = await import("./helpers/waiting");
const metricsRoute = await import("@/app/api/metrics/route");
const targetsRoute = await import("@/app/api/prometheus/targets/route");
const workersRoute = await import("@/app/api/prometheus/workers/route");

const run = promisify(execFile);
const CONFIG_DIR = path.join(process.cwd(), "prometheus");

async function promtool(...args: string[]) {
  try {
    return await run("promtool", args, { cwd: CONFIG_DIR });
  } catch (error) {
    const failure = error as { code?: string; stdout?: string; stderr?: string };
    if (failure.code === "ENOENT") throw new Error("promtool is not installed: install Debian's prometheus package (bash .ci/services.sh does)");
    throw new Error(`promtool ${args.join(" ")} failed:\n${failure.stdout}${failure.stderr}`);
  }
}

describe("the shipped Prometheus files", () => {
  it("pass promtool check config and check rules", async () => {
    // The shipped file names production paths (the token file); the full check runs on the loopback copy below.
    await promtool("check", "config", "--syntax-only", "prometheus.yml");
    const rules = await promtool("check", "rules", "alerts.yml");
    expect(rules.stdout).toContain("SUCCESS: 12 rules found");
  });

  it("fire each alert when it should and not before (promtool test rules)", async () => {
    const result = await promtool("test", "rules", "alerts.test.yml");
    expect(result.stdout).toContain("SUCCESS");
  });
});

describe("the alerts on an OVH VM's exporters", () => {
  it("use series the real node_exporter exports (Ubuntu's prometheus-node-exporter, as the VM installs it)", async () => {
    // The node_* names the alerts read, taken from the shipped rules themselves.
    const rules = readFileSync(path.join(CONFIG_DIR, "alerts.yml"), "utf8");
    const expressions = rules.split("\n").filter((line) => line.trim().startsWith("expr:")).join("\n");
    const names = [...new Set(expressions.match(/\bnode_[a-zA-Z_]+/g) ?? [])];
    expect(names.length).toBeGreaterThanOrEqual(4);
    const port = await freePort();
    const exporter = spawn("prometheus-node-exporter", [`--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
    try {
      const text = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
        return response?.ok ? response.text() : undefined;
      }, 15_000, "node_exporter to answer");
      for (const name of names) expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, "m"));
      // The root filesystem the disk alert selects, with the label it selects on.
      expect(text).toMatch(/^node_filesystem_avail_bytes\{[^}]*mountpoint="\/"/m);
    } finally {
      exporter.kill();
    }
  });

  it("are unit-tested with those series and cAdvisor's container_last_seen and compose-service label", () => {
    const tests = readFileSync(path.join(CONFIG_DIR, "alerts.test.yml"), "utf8");
    for (const name of ["node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"]) {
      expect(tests).toContain(`series: '${name}{`);
    }
    expect(tests).toMatch(/series: 'container_last_seen\{[^']*container_label_com_docker_compose_service="lms-worker"/);
  });
});

describe("a real Prometheus pointed at the portal", () => {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-prometheus-"));
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  let portal: Awaited<ReturnType<typeof serveRoutes>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let prometheus: ChildProcess | null = null;
  let prometheusUrl = "";

  beforeAll(async () => {
    portal = await serveRoutes({
      "/api/metrics": metricsRoute.GET,
      "/api/prometheus/targets": targetsRoute.GET,
      "/api/prometheus/workers": workersRoute.GET,
    });
    worker = await startWorker({ concurrency: 1, quiet: true });
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
      prometheus.kill("SIGTERM");
      await exited;
    }
    for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
    await worker?.stop();
    await portal?.close();
    await closeDb();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("scrapes the portal and the worker, and discovers a running instance with its labels", { timeout: 120_000 }, async () => {
    // A running instance served by a real local site server (which answers /metrics).
    const owner = await makeUser();
    const instance = await createInstance(owner.id, { name: "Watched", subdomain: `watch-${uniqueSuffix()}`, plan: "scale" });
    const [deployment] = await db.insert(deployments).values({ instanceId: instance.id, computeDriver: compute.name, status: "running" }).returning();
    const server = await compute.ensureServer({ deploymentId: deployment!.id, instanceId: instance.id, siteConfig: { instanceName: "Watched" } });
    await db.update(deployments).set({ address: server.address, serverId: server.serverId }).where(eq(deployments.id, deployment!.id));
    await db.update(instances).set({ status: "running", activeDeploymentId: deployment!.id }).where(eq(instances.id, instance.id));

    // The shipped configuration, pointed at this loopback portal and made impatient.
    const tokenFile = path.join(workDir, "lyceum-metrics-token");
    writeFileSync(tokenFile, TOKEN);
    copyFileSync(path.join(CONFIG_DIR, "alerts.yml"), path.join(workDir, "alerts.yml"));
    const config = readFileSync(path.join(CONFIG_DIR, "prometheus.yml"), "utf8")
      .replaceAll("https://portal.lyceum.example", portal.url)
      .replaceAll("portal.lyceum.example:443", `127.0.0.1:${portal.port}`)
      .replaceAll("scheme: https", "scheme: http")
      .replaceAll("/etc/prometheus/lyceum-metrics-token", tokenFile)
      .replace(/(scrape_interval|evaluation_interval|refresh_interval): \d+s/g, "$1: 1s");
    const configFile = path.join(workDir, "prometheus.yml");
    writeFileSync(configFile, config);
    await promtool("check", "config", configFile);

    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      "prometheus",
      [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(workDir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    prometheus.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

    type Sample = { metric: Record<string, string>; value: [number, string] };
    const query = async (expression: string): Promise<Sample[]> => {
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expression)}`);
      return ((await response.json()) as { data: { result: Sample[] } }).data.result;
    };
    const targetsReport = async () => {
      const response = await fetch(`${prometheusUrl}/api/v1/targets`).catch(() => null);
      return `targets: ${response ? await response.text() : "Prometheus not answering"}; stderr: ${stderr}`;
    };
    const up = await eventually(
      async () => {
        const samples = await query("up == 1");
        const jobs = new Set(samples.map((sample) => sample.metric.job));
        return ["lyceum-web", "lyceum-workers", "lyceum-instances"].every((job) => jobs.has(job)) ? samples : undefined;
      },
      45_000,
      "Prometheus to scrape the portal, the worker and the instance",
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await targetsReport()}`);
    });
    expect(up.find((sample) => sample.metric.job === "lyceum-instances")!.metric).toMatchObject({
      instance: server.address,
      instance_id: instance.id,
      subdomain: instance.subdomain,
      plan: "scale",
      deployment_id: deployment!.id,
    });
    expect(up.find((sample) => sample.metric.job === "lyceum-workers")!.metric).toMatchObject({ instance: worker.metricsAddress, worker_process: worker.processId });

    // And what it scraped is there to query.
    const running = await eventually(async () => {
      const samples = await query('lyceum_instances{status="running"}');
      return samples.length > 0 ? samples : undefined;
    }, 30_000, "lyceum_instances in Prometheus");
    expect(Number(running[0]!.value[1])).toBe(1);
    const siteUp = await query(`lyceum_site_up{subdomain="${instance.subdomain}"}`);
    expect(siteUp.map((sample) => sample.value[1])).toEqual(["1"]);
  });
});
