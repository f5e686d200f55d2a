// After a plan change: start the operation that applies the plan — a reconfigure where the compute driver resizes
// in place, a redeploy (a new deployment with the plan's VM flavor) where it cannot. When another operation is
// running the start is refused, the task fails, and graphile-worker retries it with back-off.
import type { Task } from "graphile-worker";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { deployments, instances } from "@/db/schema";
import { BILLING_REASONS } from "@/server/billing/operation-reasons";
import { planById } from "@/server/billing/plans";
import { appliesChangesByRedeploying, REDEPLOY_INSTEAD, startApplyingChanges } from "@/server/instances/apply-changes";
import { appendInstanceEvent } from "@/server/instances/events";
import { jobPayloads } from "@/server/queue/payloads";

export const apply_plan_change: Task = async (payload, helpers) => {
  const { instanceId } = jobPayloads.apply_plan_change.parse(payload);
  const instance = await db.query.instances.findFirst({ where: eq(instances.id, instanceId) });
  if (!instance || !["running", "suspended"].includes(instance.status)) return;
  const plan = planById(instance.plan);
  if (await appliesChangesByRedeploying()) {
    const active = instance.activeDeploymentId
      ? await db.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId) })
      : undefined;
    // Changed and changed back before anything ran: no new server is needed.
    if (active?.config?.plan === plan.id) return;
    // A suspended instance gets no new server; resuming it applies the plan (jobs/pipelines/resume.ts).
    if (instance.status === "suspended") {
      await appendInstanceEvent(db, {
        instanceId,
        kind: "log",
        message: `The ${plan.name} plan's server size (${plan.vmFlavor}) applies when the instance is resumed: ${REDEPLOY_INSTEAD}.`,
      });
      return;
    }
  }
  const operation = await db.transaction((tx) => startApplyingChanges(tx, { instanceId, initiator: "billing", reason: BILLING_REASONS.applyPlan(plan.name) }));
  helpers.logger.info(`${operation.kind} ${operation.id} started for ${instance.subdomain} (${plan.id})`);
};
