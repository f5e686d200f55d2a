// Gauges the web process reads at scrape time: the fleet by status, the queue, live workers and open SSE
// streams. Only the web registers them (each web replica reports the same fleet: aggregate with max()).
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { appServerState, deploymentServers, instances, instanceStatus } from "@/db/schema";
import { lastFailedBackups, lastSuccessfulBackups } from "@/server/backups/freshness";
import { certificateExpiries } from "@/server/certificates/store";
import { instanceEventHub } from "@/server/events/hub";
import { usageRatios } from "@/server/usage/usage-ratios";
import { jobCountsByTaskAndState, liveWorkerCount, oldestWaitingJobAgeSeconds } from "@/server/staff/queue";
import { logger } from "./logger";
import { registerCollectedGauge } from "./metrics";

async function tolerant(name: string, read: () => Promise<void>) {
  try {
    await read();
  } catch (error) {
    // A scrape during a database outage reports what it can; /api/ready is what says the database is down.
    logger().warn({ err: error, metric: name }, "could not read a metric");
  }
}

export function registerWebGauges(): void {
  registerCollectedGauge({
    name: "lyceum_sse_streams_open",
    help: "Live event streams (tRPC SSE subscriptions) open on this web process.",
    collect: (gauge) => gauge.set(instanceEventHub.subscriberCount()),
  });

  registerCollectedGauge({
    name: "lyceum_instances",
    help: "Instances by lifecycle status (every status is reported, 0 included).",
    labelNames: ["status"],
    collect: (gauge) =>
      tolerant("lyceum_instances", async () => {
        const rows = await db
          .select({ status: instances.status, count: sql<number>`count(*)::int` })
          .from(instances)
          .groupBy(instances.status);
        gauge.reset();
        for (const status of instanceStatus.enumValues) gauge.set({ status }, 0);
        for (const row of rows) gauge.set({ status: row.status }, row.count);
      }),
  });

  registerCollectedGauge({
    name: "lyceum_app_servers",
    help: "Application servers of serving deployments by state (booting, healthy, failing); every state reported, 0 included.",
    labelNames: ["state"],
    collect: (gauge) =>
      tolerant("lyceum_app_servers", async () => {
        const rows = await db
          .select({ state: deploymentServers.state, count: sql<number>`count(*)::int` })
          .from(deploymentServers)
          .innerJoin(instances, sql`${instances.activeDeploymentId} = ${deploymentServers.deploymentId}`)
          .groupBy(deploymentServers.state);
        gauge.reset();
        for (const state of appServerState.enumValues.filter((candidate) => candidate !== "removed")) gauge.set({ state }, 0);
        for (const row of rows) if (row.state !== "removed") gauge.set({ state: row.state }, row.count);
      }),
  });

  registerCollectedGauge({
    name: "lyceum_queue_jobs",
    help: "graphile-worker jobs by task and state (waiting, scheduled, retrying, running, failed).",
    labelNames: ["task", "state"],
    collect: (gauge) =>
      tolerant("lyceum_queue_jobs", async () => {
        const rows = await jobCountsByTaskAndState(db);
        gauge.reset();
        for (const row of rows) gauge.set({ task: row.task, state: row.state }, row.count);
      }),
  });

  registerCollectedGauge({
    name: "lyceum_queue_oldest_waiting_job_age_seconds",
    help: "How long the longest-waiting runnable job has been waiting past its run_at (0 when none waits).",
    collect: (gauge) => tolerant("lyceum_queue_oldest_waiting_job_age_seconds", async () => gauge.set(await oldestWaitingJobAgeSeconds(db))),
  });

  registerCollectedGauge({
    name: "lyceum_workers_live",
    help: "Worker processes whose heartbeat is fresh.",
    collect: (gauge) => tolerant("lyceum_workers_live", async () => gauge.set(await liveWorkerCount(db))),
  });

  registerCollectedGauge({
    name: "lyceum_certificate_expiry_timestamp_seconds",
    help: "When each served certificate expires (Unix time), per hostname it covers; instance_id and subdomain are empty for the shared wildcard.",
    labelNames: ["hostname", "instance_id", "subdomain"],
    collect: (gauge) =>
      tolerant("lyceum_certificate_expiry_timestamp_seconds", async () => {
        const rows = await certificateExpiries(db);
        gauge.reset();
        // Several certificates may cover one name (a client's own and ours): the one lasting longest is reported.
        const latest = new Map<string, { hostname: string; instance_id: string; subdomain: string; seconds: number }>();
        for (const row of rows) {
          const key = `${row.hostname} ${row.instanceId}`;
          const seconds = Math.floor(row.notAfter.getTime() / 1000);
          if ((latest.get(key)?.seconds ?? 0) < seconds) latest.set(key, { hostname: row.hostname, instance_id: row.instanceId, subdomain: row.subdomain, seconds });
        }
        for (const { seconds, ...labels } of latest.values()) gauge.set(labels, seconds);
      }),
  });

  registerCollectedGauge({
    name: "lyceum_backup_last_success_timestamp_seconds",
    help: "When each running or suspended instance's newest verified backup finished (Unix time); before its first, when the instance was registered, so a new instance has the alert's 36 hours for it.",
    labelNames: ["instance_id", "subdomain"],
    collect: (gauge) =>
      tolerant("lyceum_backup_last_success_timestamp_seconds", async () => {
        const rows = await lastSuccessfulBackups(db);
        gauge.reset();
        for (const row of rows) gauge.set({ instance_id: row.instanceId, subdomain: row.subdomain ?? "" }, Math.floor((row.lastBackupAt ?? row.createdAt).getTime() / 1000));
      }),
  });

  registerCollectedGauge({
    name: "lyceum_backup_last_failure_timestamp_seconds",
    help: "When each running or suspended instance's newest failed backup ended (Unix time; absent when none failed): newer than its last success, the newest backup failed.",
    labelNames: ["instance_id", "subdomain"],
    collect: (gauge) =>
      tolerant("lyceum_backup_last_failure_timestamp_seconds", async () => {
        const rows = await lastFailedBackups(db);
        gauge.reset();
        for (const row of rows) if (row.lastFailureAt) gauge.set({ instance_id: row.instanceId, subdomain: row.subdomain ?? "" }, Math.floor(row.lastFailureAt.getTime() / 1000));
      }),
  });

  registerCollectedGauge({
    name: "lyceum_instance_usage_ratio",
    help: "Each instance's last daily measurement against its plan (1 = at the limit), per limit: storage, learners, courses. Uploads are blocked above 1.1 of storage.",
    labelNames: ["instance_id", "subdomain", "limit"],
    collect: (gauge) =>
      tolerant("lyceum_instance_usage_ratio", async () => {
        const rows = await usageRatios(db);
        gauge.reset();
        for (const row of rows) gauge.set({ instance_id: row.instanceId, subdomain: row.subdomain, limit: row.limit }, row.ratio);
      }),
  });
}
