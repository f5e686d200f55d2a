// One autoscaling sample (server/deployments/autoscale.ts), then the next one AUTOSCALE_SAMPLE_SECONDS later: the
// crontab's minute is too coarse for a rate. Only with a load balancer whose load can be read: the local HAProxy, or
// the Consul-fed nodes' stats pages (HAPROXY_STATS_URLS), summed.
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { autoscaleInstances } from "@/server/deployments/autoscale";
import { env } from "@/server/env";
import { infra } from "@/server/infra";
import { metrics } from "@/server/observability/metrics";
import { enqueueJob } from "@/server/queue/enqueue";

export const autoscale_instances: Task = async (_payload, helpers) => {
  const reader = infra().loadBalancer?.runtime;
  if (!reader) return;
  const config = env();
  try {
    const sweep = await autoscaleInstances(db, reader, { timing: { outAfterSeconds: config.AUTOSCALE_OUT_AFTER_SECONDS, inAfterSeconds: config.AUTOSCALE_IN_AFTER_SECONDS } });
    for (const decision of sweep.decisions) {
      metrics().autoscaleDecisions.inc({ direction: decision.direction });
      helpers.logger.info(`autoscaling instance ${decision.instanceId}: ${decision.from} → ${decision.to} server(s): ${decision.reason}`);
    }
    if (sweep.deferred.length) metrics().autoscaleDeferred.inc(sweep.deferred.length);
  } catch (error) {
    // HAProxy (or a node) not running or not answering: this sample is lost, the next one is taken as usual.
    helpers.logger.warn(`autoscaling sample failed: ${(error as Error).message}`);
  } finally {
    await enqueueJob(db, "autoscale_instances", {}, { jobKey: "autoscale_instances", runAt: new Date(Date.now() + config.AUTOSCALE_SAMPLE_SECONDS * 1000) });
  }
};
