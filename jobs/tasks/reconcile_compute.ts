// At worker start: compare the database with what is really up, and bring back the servers of instances
// that should be serving (after a reboot, or a second `npm run dev`).
import type { Task } from "graphile-worker";
import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import { db } from "@/db";
import { deploymentServers, deployments, instances } from "@/db/schema";
import { liveServersOf } from "@/server/deployments/app-servers";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { ledgerFor } from "@/server/instances/ledger";
import { siteConfigOf } from "@/server/instances/service-config";

export const reconcile_compute: Task = async (_payload, helpers) => {
  const rows = await db
    .select({ instance: instances, deployment: deployments })
    .from(instances)
    .innerJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
    // A server stopped on purpose (an instance suspended past its grace) stays stopped until the instance resumes.
    .where(and(inArray(instances.status, ["running", "suspended"]), isNotNull(instances.activeDeploymentId), isNull(deployments.serverStoppedAt)));
  const { compute } = infra();
  for (const { instance, deployment } of rows) {
    if (deployment.computeDriver !== compute.name) continue;
    try {
      // Each of the deployment's servers (a deployment from before deployment_servers has server 0 only).
      const listed = await liveServersOf(db, deployment.id);
      const indexes = listed.length ? listed.map((row) => row.serverIndex) : [0];
      for (const serverIndex of indexes) {
        const server = await compute.ensureServer(
          { deploymentId: deployment.id, instanceId: instance.id, serverIndex, siteConfig: siteConfigOf(deployment) },
          helpers.abortSignal ?? new AbortController().signal,
          {
            // The ledger is the one record of what exists: a replacement is in it before its build is waited on.
            onServerKnown: async (serverId) => {
              await ledgerFor(db, instance.id).record("compute.server", serverId, { driver: compute.name, deploymentId: deployment.id, serverIndex, address: null });
            },
          },
        );
        if (!server.isNew) continue;
        await db.transaction(async (tx) => {
          if (serverIndex === 0) await tx.update(deployments).set({ address: server.address, serverId: server.serverId }).where(eq(deployments.id, deployment.id));
          await tx
            .update(deploymentServers)
            .set({ address: server.address, serverId: server.serverId })
            .where(and(eq(deploymentServers.deploymentId, deployment.id), eq(deploymentServers.serverIndex, serverIndex)));
          // The replaced server is gone; the replacement is what reconcile must find in the ledger, or it is an "orphan".
          const ledger = ledgerFor(tx, instance.id);
          for (const entry of await ledger.list("compute.server")) {
            const isSameSlot = entry.details.deploymentId === deployment.id && (entry.details.serverIndex ?? 0) === serverIndex;
            if (isSameSlot && entry.externalId !== server.serverId) await ledger.markDeleted(entry.id);
          }
          await ledger.record("compute.server", server.serverId, { driver: compute.name, deploymentId: deployment.id, serverIndex, address: server.address });
        });
        await appendInstanceEvent(db, {
          instanceId: instance.id,
          kind: "log",
          level: "warn",
          message: `Application server ${serverIndex + 1} was not running; restarted it at ${server.address}.`,
        });
        helpers.logger.info(`restarted ${instance.subdomain} server ${serverIndex + 1} at ${server.address}`);
      }
    } catch (error) {
      helpers.logger.error(`could not restart ${instance.subdomain}: ${(error as Error).message}`);
    }
  }
};
