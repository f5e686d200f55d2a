// At worker start: compare the database with what is really up, and bring back the servers of instances
// that should be serving (after a reboot, or a second `npm run dev`).
import type { Task } from "graphile-worker";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { db } from "@/db";
import { deployments, instances } from "@/db/schema";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { siteConfigOf } from "@/server/instances/service-config";

export const reconcile_compute: Task = async (_payload, helpers) => {
  const rows = await db
    .select({ instance: instances, deployment: deployments })
    .from(instances)
    .innerJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
    .where(and(inArray(instances.status, ["running", "suspended"]), isNotNull(instances.activeDeploymentId)));
  const { compute } = infra();
  for (const { instance, deployment } of rows) {
    if (deployment.computeDriver !== compute.name) continue;
    try {
      const server = await compute.ensureServer(
        { deploymentId: deployment.id, instanceId: instance.id, siteConfig: siteConfigOf(deployment) },
        helpers.abortSignal ?? new AbortController().signal,
      );
      if (!server.isNew) continue;
      await db.update(deployments).set({ address: server.address, serverId: server.serverId }).where(eq(deployments.id, deployment.id));
      await appendInstanceEvent(db, {
        instanceId: instance.id,
        kind: "log",
        level: "warn",
        message: `The application server was not running; restarted it at ${server.address}.`,
      });
      helpers.logger.info(`restarted ${instance.subdomain} at ${server.address}`);
    } catch (error) {
      helpers.logger.error(`could not restart ${instance.subdomain}: ${(error as Error).message}`);
    }
  }
};
