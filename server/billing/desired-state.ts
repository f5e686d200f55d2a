// Billing as a desired state: what the subscriptions table says an instance should be (suspended for non-payment
// or because the subscription ended, on plan P, deprovisioned once the retention period is over) against what the
// instance is and runs. A periodic sweep (jobs/tasks/reassert_billing_state.ts) starts the operation that closes
// each gap, so a cancelled operation, a crashed worker or a lost timer job delays billing, never undoes it.
import { desc, eq, sql } from "drizzle-orm";
import { db, type Transaction } from "@/db";
import { deployments, instanceOperations, instances, subscriptions, type Instance, type Subscription } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { startApplyingChanges } from "@/server/instances/apply-changes";
import { activeOperation, OperationInProgressError, startOperation } from "@/server/instances/operations";
import { billingDriver } from "./index";
import { BILLING_REASONS } from "./operation-reasons";
import { planById } from "./plans";
import { syncSubscriptionOfInstance } from "./processing";

const OVERDUE = ["past_due", "unpaid", "paused"] as const;
const ENDED = ["canceled", "incomplete_expired"] as const;

/** What billing wants done to an instance that differs from what it is; null when the two agree. */
type BillingGap =
  | { repair: "suspend"; why: string }
  | { repair: "apply_plan"; plan: string; deployedPlan: string | null; why: string }
  | { repair: "deprovision"; why: string }
  /** A deadline passed with nothing done (its timer job was lost): re-read the provider, then apply. */
  | { repair: "resync"; why: string };

type BillingRepair = { instanceId: string; repair: BillingGap["repair"]; outcome: string };

/** The gap between a subscription's desired state and its instance; pure, so the decision is easy to test and re-check. */
function billingGap(
  subscription: Subscription,
  instance: Pick<Instance, "status" | "plan">,
  deployedPlan: string | null,
  billingNow: Date,
): BillingGap | null {
  const isEnded = (ENDED as readonly string[]).includes(subscription.status);
  const isOverdue = (OVERDUE as readonly string[]).includes(subscription.status);
  const isKept = subscription.deprovisionKeptAt !== null;
  // Deprovisioning starts from these (lifecycle.ts); from any other status an operation is under way or nothing is left.
  const canDeprovision = ["running", "suspended", "failed"].includes(instance.status);
  if (subscription.deprovisionStartedAt && !isKept && canDeprovision) {
    return { repair: "deprovision", why: "the retention period after the subscription ended is over, but the instance was not deprovisioned" };
  }
  if (subscription.suspendedFor && instance.status === "running") {
    return {
      repair: "suspend",
      why:
        subscription.suspendedFor === "non_payment"
          ? "the instance is suspended for an unpaid invoice, but it is running"
          : "the instance is suspended because its subscription ended, but it is running",
    };
  }
  if (isOverdue && !subscription.suspendedFor && subscription.suspendAt && subscription.suspendAt <= billingNow && instance.status === "running") {
    return { repair: "resync", why: "the grace period for the unpaid invoice is over, but no suspension started" };
  }
  if (
    isEnded &&
    !isKept &&
    !subscription.deprovisionStartedAt &&
    subscription.deprovisionAt &&
    subscription.deprovisionAt <= billingNow &&
    canDeprovision
  ) {
    return { repair: "resync", why: "the retention period after the subscription ended is over, but no deprovisioning started" };
  }
  // A suspended instance takes its plan when it resumes (jobs/pipelines/resume.ts); a billing-suspended one is not served.
  if (instance.status === "running" && !subscription.suspendedFor && !isEnded) {
    if (instance.plan !== subscription.plan || (deployedPlan !== null && deployedPlan !== subscription.plan)) {
      return {
        repair: "apply_plan",
        plan: subscription.plan,
        deployedPlan,
        why: `the subscription is on the ${planById(subscription.plan).name} plan, but the instance runs ${deployedPlan ? `the ${planById(deployedPlan).name} plan` : "another plan"}`,
      };
    }
  }
  return null;
}

/**
 * Finds every instance whose state differs from its subscription's and starts the repair of each. Idempotent:
 * each repair re-checks under the instance's lock, and an instance with an operation under way is left to it
 * (the next sweep looks again), so the sweep never fights an operation, nor another sweep.
 */
export async function reassertBillingState(): Promise<BillingRepair[]> {
  const billingNow = await billingDriver().now();
  const now = sql`${billingNow.toISOString()}::timestamptz`;
  const candidates = await db
    .select({ instanceId: subscriptions.instanceId })
    .from(subscriptions)
    .innerJoin(instances, eq(instances.id, subscriptions.instanceId))
    .leftJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
    .where(
      sql`${instances.status} not in ('draft', 'awaiting_payment', 'deprovisioned') and (
        (${subscriptions.suspendedFor} is not null and ${instances.status} = 'running')
        or (${subscriptions.deprovisionStartedAt} is not null and ${subscriptions.deprovisionKeptAt} is null and ${instances.status} in ('running', 'suspended', 'failed'))
        or (${subscriptions.suspendAt} <= ${now} and ${subscriptions.suspendedFor} is null and ${instances.status} = 'running')
        or (${subscriptions.deprovisionAt} <= ${now} and ${subscriptions.deprovisionStartedAt} is null and ${subscriptions.deprovisionKeptAt} is null)
        or (${instances.status} = 'running' and (${instances.plan} <> ${subscriptions.plan} or ${deployments.config}->>'plan' <> ${subscriptions.plan})))`,
    );
  const repairs: BillingRepair[] = [];
  for (const { instanceId } of candidates) {
    const repair = await repairInstance(instanceId, billingNow);
    if (repair) repairs.push(repair);
  }
  return repairs;
}

async function repairInstance(instanceId: string, billingNow: Date): Promise<BillingRepair | null> {
  const decided = await db.transaction(async (tx): Promise<BillingRepair | { resyncBecause: string } | null> => {
    const subscription = await tx.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instanceId) });
    if (!subscription) return null;
    // The same lock as the sync of this subscription (processing.ts): a webhook being applied finishes first.
    if (subscription.stripeSubscriptionId) {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`billing:${subscription.stripeSubscriptionId}`}, 0))`);
    }
    const [instance] = await tx.select().from(instances).where(eq(instances.id, instanceId)).for("update");
    const [current] = await tx.select().from(subscriptions).where(eq(subscriptions.instanceId, instanceId));
    if (!instance || !current) return null;
    const gap = billingGap(current, instance, await deployedPlanOf(tx, instance), billingNow);
    if (!gap) return null;
    const active = await activeOperation(tx, instanceId);
    if (active) return { instanceId, repair: gap.repair, outcome: `waits for the ${active.kind} operation under way` };
    if (gap.repair === "resync") {
      await appendInstanceEvent(tx, {
        instanceId,
        kind: "log",
        step: "billing",
        level: "warn",
        message: `Billing: ${gap.why}; re-reading the subscription to apply it now.`,
        data: { repair: gap.repair },
      });
      return { resyncBecause: gap.why };
    }
    return { instanceId, repair: gap.repair, outcome: await startRepair(tx, instance, current, gap) };
  });
  if (!decided) return null;
  if ("resyncBecause" in decided) {
    // Outside the transaction: the sync takes the subscription's lock and asks the provider for its current state.
    const result = await syncSubscriptionOfInstance(instanceId);
    return { instanceId, repair: "resync", outcome: `${decided.resyncBecause}: re-read the subscription, ${result?.outcome ?? "no subscription"}` };
  }
  return decided;
}

async function deployedPlanOf(tx: Transaction, instance: Instance): Promise<string | null> {
  if (!instance.activeDeploymentId) return null;
  const [deployment] = await tx.select({ config: deployments.config }).from(deployments).where(eq(deployments.id, instance.activeDeploymentId));
  const plan = deployment?.config?.plan;
  return typeof plan === "string" ? plan : null;
}

async function startRepair(tx: Transaction, instance: Instance, subscription: Subscription, gap: Exclude<BillingGap, { repair: "resync" }>) {
  const kind = gap.repair === "apply_plan" ? (["reconfigure", "redeploy"] as const) : ([gap.repair] as const);
  // A billing operation of this kind that failed outright has alerted staff, who own it now: starting it again
  // every few minutes would only repeat the failure (a cancelled one is started again: that is the point).
  const [latest] = await tx
    .select()
    .from(instanceOperations)
    .where(eq(instanceOperations.instanceId, instance.id))
    .orderBy(desc(instanceOperations.createdAt))
    .limit(1);
  if (latest?.status === "failed" && latest.initiator === "billing" && (kind as readonly string[]).includes(latest.kind)) {
    return `${gap.why}; the last ${latest.kind} failed (${latest.error ?? "no error recorded"}), so it is left to staff`;
  }
  try {
    const operation = await startGapRepair(tx, instance, subscription, gap);
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      step: "billing",
      level: "warn",
      message: `Billing: ${gap.why}; started a ${operation.kind} to bring the instance in line with its subscription.`,
      data: { repair: gap.repair },
    });
    return `${gap.why}: started ${operation.kind} ${operation.id}`;
  } catch (error) {
    // Lost the race to another operation starting: the next sweep looks again.
    if (error instanceof OperationInProgressError) return `waits for the ${error.kind} operation under way`;
    throw error;
  }
}

async function startGapRepair(tx: Transaction, instance: Instance, subscription: Subscription, gap: Exclude<BillingGap, { repair: "resync" }>) {
  switch (gap.repair) {
    case "suspend":
      return startOperation(tx, {
        instanceId: instance.id,
        kind: "suspend",
        initiator: "billing",
        reason: subscription.suspendedFor === "canceled" ? BILLING_REASONS.subscriptionEnded : BILLING_REASONS.unpaid,
      });
    case "deprovision":
      return startOperation(tx, { instanceId: instance.id, kind: "deprovision", initiator: "billing", reason: BILLING_REASONS.retentionOver });
    case "apply_plan": {
      // The deployment renders from the instance's plan: the subscription's wins where the two were left apart.
      if (instance.plan !== gap.plan) {
        await tx.update(instances).set({ plan: gap.plan, updatedAt: new Date() }).where(eq(instances.id, instance.id));
      }
      return startApplyingChanges(tx, { instanceId: instance.id, initiator: "billing", reason: BILLING_REASONS.applyPlan(planById(gap.plan).name) });
    }
  }
}
