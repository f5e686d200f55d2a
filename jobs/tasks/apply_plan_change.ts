// After a plan change: start a reconfigure operation that applies the plan. When another operation is
// running the start is refused, the task fails, and graphile-worker retries it with back-off.
import type { Task } from "graphile-worker";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { planById } from "@/server/billing/plans";
import { startOperation } from "@/server/instances/operations";
import { jobPayloads } from "@/server/jobs/payloads";

export const apply_plan_change: Task = async (payload, helpers) => {
  const { instanceId } = jobPayloads.apply_plan_change.parse(payload);
  const instance = await db.query.instances.findFirst({ where: eq(instances.id, instanceId) });
  if (!instance || !["running", "suspended"].includes(instance.status)) return;
  const plan = planById(instance.plan);
  const operation = await db.transaction((tx) =>
    startOperation(tx, { instanceId, kind: "reconfigure", reason: `Billing: apply the ${plan.name} plan.` }),
  );
  helpers.logger.info(`reconfigure ${operation.id} started for ${instance.subdomain} (${plan.id})`);
};
