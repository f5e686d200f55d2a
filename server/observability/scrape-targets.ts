// Prometheus HTTP service discovery (http_sd): the JSON lists of what to scrape, read from the database, so
// a Prometheus follows the fleet and the workers with no manual configuration.
// Format: https://prometheus.io/docs/prometheus/latest/http_sd/ — [{ "targets": [...], "labels": {...} }].
import { and, eq, gt, isNotNull, sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { deployments, instances, workerProcesses } from "@/db/schema";
import { VM_METRICS_PORTS } from "@/server/infra/compute/cloud-init/vm-health";
import { STALE_AFTER_MS } from "@/server/queue/worker-heartbeat";

type TargetGroup = { targets: string[]; labels: Record<string, string> };

/**
 * Where a deployment's metrics are served. The local driver's site server answers `/metrics` on the address it
 * serves HTTP on; an OVH VM serves node_exporter and cAdvisor on ports of their own (cloud-init/vm-health.ts),
 * open to the monitoring network only.
 */
const INSTANCE_METRICS_PATH = "/metrics";

/** The scrape targets of one deployment: `component` says which exporter (site, node or containers). */
export function deploymentMetricsTargets(computeDriver: string, address: string): { target: string; component: string }[] {
  if (computeDriver !== "ovh") return [{ target: address, component: "site" }];
  const host = address.replace(/:\d+$/, "");
  return [
    { target: `${host}:${VM_METRICS_PORTS.node}`, component: "node" },
    { target: `${host}:${VM_METRICS_PORTS.containers}`, component: "containers" },
  ];
}

/** One group per exporter of each running instance's active deployment, labelled with who it is. */
export async function instanceScrapeTargets(q: Queryable = db): Promise<TargetGroup[]> {
  const rows = await q
    .select({
      instanceId: instances.id,
      subdomain: instances.subdomain,
      plan: instances.plan,
      deploymentId: deployments.id,
      computeDriver: deployments.computeDriver,
      address: deployments.address,
    })
    .from(instances)
    .innerJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
    .where(and(eq(instances.status, "running"), isNotNull(deployments.address)))
    .orderBy(instances.subdomain);
  return rows.flatMap((row) =>
    deploymentMetricsTargets(row.computeDriver, row.address!).map(({ target, component }) => ({
      targets: [target],
      labels: {
        __metrics_path__: INSTANCE_METRICS_PATH,
        instance_id: row.instanceId,
        subdomain: row.subdomain ?? "", // never empty here: only drafts lack one, and these instances run
        plan: row.plan,
        deployment_id: row.deploymentId,
        component,
      },
    })),
  );
}

/** One group per live worker process that serves metrics. */
export async function workerScrapeTargets(q: Queryable = db): Promise<TargetGroup[]> {
  const rows = await q
    .select({ id: workerProcesses.id, hostname: workerProcesses.hostname, address: workerProcesses.metricsAddress })
    .from(workerProcesses)
    .where(
      and(
        isNotNull(workerProcesses.metricsAddress),
        gt(workerProcesses.lastHeartbeatAt, sql`now() - make_interval(secs => ${STALE_AFTER_MS / 1000})`),
      ),
    )
    .orderBy(workerProcesses.startedAt);
  return rows.map((row) => ({
    targets: [row.address!],
    labels: { __metrics_path__: "/metrics", worker_process: row.id, hostname: row.hostname },
  }));
}
