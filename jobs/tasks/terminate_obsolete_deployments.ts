// Daily: every instance keeps its active deployment and one fallback; the servers of all its other
// deployments are destroyed and those deployments terminated. Instances with an operation under way are
// skipped (a redeploy decides the fate of its own deployments) and pruned on the next run.
import type { Task } from "graphile-worker";
import { and, eq, inArray, isNull, ne, notExists, or, sql } from "drizzle-orm";
import { db } from "@/db";
import { deployments, instanceOperations, instances } from "@/db/schema";
import { infra } from "@/server/infra";
import { terminateObsoleteDeployments } from "@/server/deployments/retire";

export async function terminateObsoleteDeploymentsOfFleet() {
  const candidates = await db
    .selectDistinct({ instanceId: deployments.instanceId })
    .from(deployments)
    .innerJoin(instances, eq(instances.id, deployments.instanceId))
    .where(
      and(
        ne(deployments.status, "terminated"),
        or(isNull(instances.activeDeploymentId), ne(instances.activeDeploymentId, deployments.id)),
        notExists(
          db
            .select({ one: sql`1` })
            .from(instanceOperations)
            .where(and(eq(instanceOperations.instanceId, deployments.instanceId), inArray(instanceOperations.status, ["queued", "running"]))),
        ),
      ),
    );
  const { compute } = infra();
  const report = { instances: 0, terminated: 0, failures: [] as string[] };
  for (const { instanceId } of candidates) {
    const { terminated, failed } = await terminateObsoleteDeployments(db, compute, instanceId);
    if (terminated.length) report.instances++;
    report.terminated += terminated.length;
    report.failures.push(...failed.map(({ deployment, error }) => `deployment ${deployment.id}: ${error}`));
  }
  return report;
}

export const terminate_obsolete_deployments: Task = async (_payload, helpers) => {
  const report = await terminateObsoleteDeploymentsOfFleet();
  helpers.logger.info(`terminated ${report.terminated} obsolete deployment(s) of ${report.instances} instance(s)`);
  // Failing the job puts it in the staff queue page's failed list with the reasons; the next day retries.
  if (report.failures.length) throw new Error(`could not terminate ${report.failures.length} deployment(s): ${report.failures.join("; ")}`);
};
