// The sweep that ends an upgrade's rollback window: once its fallback time is over, the old release's deployment is
// destroyed and the upgrade settled. An instance with an operation under way (a rollback, say) is left for the next run.
import { and, eq, lte } from "drizzle-orm";
import type { Database } from "@/db";
import { deployments, instances, instanceUpgrades } from "@/db/schema";
import { destroyDeploymentServer } from "@/server/deployments/retire";
import { setDeploymentStatus } from "@/server/deployments/status";
import type { ComputeDriver } from "@/server/infra/compute/driver";
import { appendInstanceEvent } from "@/server/instances/events";
import { activeOperation } from "@/server/instances/operations";

export async function retireUpgradeFallbacks(db: Database, compute: ComputeDriver, now = new Date()) {
  const due = await db
    .select()
    .from(instanceUpgrades)
    .where(and(eq(instanceUpgrades.status, "upgraded"), lte(instanceUpgrades.fallbackUntil, now)));
  const report = { settled: 0, failures: [] as string[] };
  for (const upgrade of due) {
    try {
      const isSettled = await db.transaction(async (tx) => {
        // The instance's row lock is what a rollback request takes too: the two cannot cross.
        await tx.select({ id: instances.id }).from(instances).where(eq(instances.id, upgrade.instanceId)).for("update");
        if (await activeOperation(tx, upgrade.instanceId)) return false;
        const [fallback] = upgrade.fromDeploymentId ? await tx.select().from(deployments).where(eq(deployments.id, upgrade.fromDeploymentId)) : [];
        if (fallback && fallback.status !== "terminated") {
          await destroyDeploymentServer(tx, compute, fallback);
          await setDeploymentStatus(tx, fallback.id, "terminated", { why: "the upgrade's fallback time is over" });
        }
        await tx.update(instanceUpgrades).set({ status: "settled", finishedAt: now }).where(eq(instanceUpgrades.id, upgrade.id));
        await appendInstanceEvent(tx, {
          instanceId: upgrade.instanceId,
          kind: "log",
          message: `The previous release's deployment${fallback ? ` ${fallback.id.slice(0, 8)}` : ""} is retired: the upgrade can no longer be rolled back.`,
        });
        return true;
      });
      if (isSettled) report.settled++;
    } catch (error) {
      report.failures.push(`upgrade ${upgrade.id}: ${(error as Error).message}`);
    }
  }
  return report;
}
