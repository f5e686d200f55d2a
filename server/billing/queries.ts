// Read models of billing for the pages: the owner's account page, the instance page's notice, the staff view.
import { and, count, desc, eq, inArray } from "drizzle-orm";
import { db } from "@/db";
import { deploymentServers, instances, stripeEvents, subscriptions, users, type Subscription, type SubscriptionStatus } from "@/db/schema";
import { appServerCountFor, autoscaleRangeOf } from "@/server/deployments/app-servers";
import { organisationIdsWhere } from "@/server/organisations/access";
import { PLANS, planById } from "./plans";

/** When the next invoice is due: the end of the trial or period, or never when the subscription is ending. */
export function nextInvoiceAt(subscription: Pick<Subscription, "status" | "cancelAtPeriodEnd" | "trialEndsAt" | "currentPeriodEnd">) {
  if (["canceled", "incomplete_expired"].includes(subscription.status) || subscription.cancelAtPeriodEnd) return null;
  return subscription.status === "trialing" ? subscription.trialEndsAt : subscription.currentPeriodEnd;
}

/** The subscriptions of every organisation where this account pays (owners and billing members). */
export async function subscriptionsPaidBy(userId: string) {
  const rows = await db
    .select({ subscription: subscriptions, instance: instances })
    .from(subscriptions)
    .innerJoin(instances, eq(instances.id, subscriptions.instanceId))
    .where(inArray(instances.organisationId, organisationIdsWhere(userId, "billing")))
    .orderBy(desc(instances.createdAt));
  // Servers running now: the serving deployment's, not removed (what the plan pays for, shown beside it).
  const instanceIds = rows.map(({ instance }) => instance.id);
  const running = instanceIds.length
    ? await db
        .select({ instanceId: instances.id, count: count() })
        .from(deploymentServers)
        .innerJoin(instances, eq(instances.activeDeploymentId, deploymentServers.deploymentId))
        .where(and(inArray(instances.id, instanceIds), inArray(deploymentServers.state, ["booting", "healthy", "failing"])))
        .groupBy(instances.id)
    : [];
  return rows.map(({ subscription, instance }) => ({
    instance: { id: instance.id, name: instance.name, subdomain: instance.subdomain, status: instance.status },
    subscription,
    plan: planById(subscription.plan),
    appServers: {
      running: ["running", "suspended"].includes(instance.status) ? (running.find((row) => row.instanceId === instance.id)?.count ?? 0) : 0,
      planned: appServerCountFor(instance),
      // Between these two the number follows the load (server/deployments/autoscale.ts); null: fixed at `planned`.
      autoscale: autoscaleRangeOf(instance),
    },
    nextInvoiceAt: nextInvoiceAt(subscription),
  }));
}

export async function subscriptionOfInstance(instanceId: string) {
  return (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instanceId) })) ?? null;
}

export async function billingEventsOfInstance(instanceId: string, limit = 100) {
  return db
    .select({
      id: stripeEvents.id,
      type: stripeEvents.type,
      receivedAt: stripeEvents.receivedAt,
      processedAt: stripeEvents.processedAt,
      outcome: stripeEvents.outcome,
    })
    .from(stripeEvents)
    .where(eq(stripeEvents.instanceId, instanceId))
    .orderBy(desc(stripeEvents.receivedAt))
    .limit(limit);
}

/** Paying subscriptions: active ones, and past-due ones still in their grace period. */
const BILLED: SubscriptionStatus[] = ["active", "past_due"];

export async function fleetBillingTotals() {
  const byStatus = await db.select({ status: subscriptions.status, count: count() }).from(subscriptions).groupBy(subscriptions.status);
  const billedByPlan = await db
    .select({ plan: subscriptions.plan, count: count() })
    .from(subscriptions)
    .where(inArray(subscriptions.status, BILLED))
    .groupBy(subscriptions.plan);
  const [suspended] = await db.select({ count: count() }).from(instances).where(eq(instances.status, "suspended"));
  const statusCount = (status: SubscriptionStatus) => byStatus.find((row) => row.status === status)?.count ?? 0;
  const mrrByPlan = PLANS.map((plan) => {
    const subscribers = billedByPlan.find((row) => row.plan === plan.id)?.count ?? 0;
    return { plan: plan.id, name: plan.name, subscribers, mrrCents: subscribers * plan.priceMonthlyCents };
  });
  return {
    active: statusCount("active"),
    trialing: statusCount("trialing"),
    pastDue: statusCount("past_due") + statusCount("unpaid") + statusCount("paused"),
    canceled: statusCount("canceled"),
    suspended: suspended?.count ?? 0,
    mrrCents: mrrByPlan.reduce((sum, row) => sum + row.mrrCents, 0),
    mrrByPlan,
  };
}

export async function fleetSubscriptions(filter: { status?: SubscriptionStatus } = {}) {
  return db
    .select({
      instanceId: instances.id,
      name: instances.name,
      subdomain: instances.subdomain,
      instanceStatus: instances.status,
      ownerEmail: users.email,
      plan: subscriptions.plan,
      status: subscriptions.status,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      suspendAt: subscriptions.suspendAt,
      deprovisionAt: subscriptions.deprovisionAt,
    })
    .from(subscriptions)
    .innerJoin(instances, eq(instances.id, subscriptions.instanceId))
    .innerJoin(users, eq(users.id, instances.ownerId))
    .where(and(filter.status ? eq(subscriptions.status, filter.status) : undefined))
    .orderBy(desc(subscriptions.updatedAt))
    .limit(500);
}
