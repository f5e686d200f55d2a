// Applies a subscription's current state (as the billing driver reports it now) to its instance. It is the
// only place billing changes instances, and it depends on state, not on which event arrived: run it for
// any event, in any order, any number of times, and it ends in the state the provider holds.
import { eq } from "drizzle-orm";
import type { Transaction } from "@/db";
import { instances, subscriptions, users, type Instance, type Subscription, type SubscriptionStatus } from "@/db/schema";
import { env } from "@/server/env";
import { appendInstanceEvent } from "@/server/instances/events";
import { transitionInstance } from "@/server/instances/lifecycle";
import { activeOperation, OperationInProgressError, startOperation } from "@/server/instances/operations";
import { enqueueJob } from "@/server/queue/enqueue";
import { enqueueEmail } from "@/server/mail/enqueue";
import type { BillingSubscription } from "./driver";
import { paymentFailedEmail, subscriptionEndedEmail, suspendedEmail, trialEndingEmail } from "./notifications";
import { BILLING_REASONS } from "./operation-reasons";
import { planById } from "./plans";
import { cancelTimer, deprovisionJobKey, scheduleDeprovision, scheduleSuspension, suspensionJobKey } from "./timers";
import { SubscriptionUnknownToProviderError } from "./unknown-subscription";

const DAY_MS = 24 * 60 * 60 * 1000;
const SERVING: readonly SubscriptionStatus[] = ["active", "trialing"];
const OVERDUE: readonly SubscriptionStatus[] = ["past_due", "unpaid", "paused"];
const ENDED: readonly SubscriptionStatus[] = ["canceled", "incomplete_expired"];

type ApplyInput = {
  subscriptionId: string;
  /** The subscription as the provider holds it now; null when the provider does not know it. */
  current: BillingSubscription | null;
  /** The instance the triggering event names (checkout's client_reference_id), if any. */
  instanceIdHint?: string | null;
  /** Now on the billing clock. */
  now: Date;
  /** The event type that triggered this, for notices that belong to an event rather than a state. */
  eventType?: string;
};

export type ApplyResult = { instanceId: string | null; outcome: string };

export async function applySubscriptionState(tx: Transaction, input: ApplyInput): Promise<ApplyResult> {
  const { current, now } = input;
  const linked = await tx.query.subscriptions.findFirst({ where: eq(subscriptions.stripeSubscriptionId, input.subscriptionId) });
  const instanceId = current?.instanceId ?? input.instanceIdHint ?? linked?.instanceId ?? null;
  if (!instanceId) return { instanceId: null, outcome: "ignored: the subscription names no instance of ours" };
  const [instance] = await tx.select().from(instances).where(eq(instances.id, instanceId)).for("update");
  if (!instance) return { instanceId: null, outcome: `ignored: instance ${instanceId} does not exist` };
  const [previous] = await tx.select().from(subscriptions).where(eq(subscriptions.instanceId, instanceId)).for("update");
  if (previous?.stripeSubscriptionId && previous.stripeSubscriptionId !== input.subscriptionId) {
    return { instanceId, outcome: `ignored: the instance is billed by ${previous.stripeSubscriptionId}` };
  }
  if (!current && !previous) return { instanceId, outcome: "ignored: the provider does not know this subscription" };
  // Not a cancellation (the provider keeps cancelled subscriptions): a wrong key would end the whole fleet.
  if (!current) throw new SubscriptionUnknownToProviderError(input.subscriptionId, instanceId);
  const state = current;
  const plan = state.planId ?? previous?.plan ?? instance.plan;
  const synced = {
    stripeCustomerId: state.customerId,
    stripeSubscriptionId: state.id,
    plan,
    status: state.status,
    currentPeriodEnd: state.currentPeriodEnd,
    trialEndsAt: state.trialEnd,
    cancelAtPeriodEnd: state.cancelAtPeriodEnd,
    canceledAt: state.canceledAt,
    hasPaymentMethod: state.hasPaymentMethod,
    syncedAt: new Date(),
    updatedAt: new Date(),
  };
  const [row] = await tx
    .insert(subscriptions)
    .values({ instanceId, ...synced })
    .onConflictDoUpdate({ target: subscriptions.instanceId, set: synced })
    .returning();

  const owner = (await tx.query.users.findFirst({ where: eq(users.id, instance.ownerId) }))!;
  const effects = new Effects(tx, instance, row!, now);
  if (previous && previous.plan !== plan) await effects.planChanged(previous.plan, plan);
  if (SERVING.includes(state.status)) await effects.serving();
  else if (OVERDUE.includes(state.status)) await effects.overdue(owner, state.unpaidSince);
  else if (ENDED.includes(state.status)) await effects.ended(owner, state.canceledAt ?? now);
  if (input.eventType === "customer.subscription.trial_will_end" && state.status === "trialing" && state.trialEnd) {
    await enqueueEmail(tx, trialEndingEmail(owner, instance, plan, state.trialEnd, state.hasPaymentMethod));
    effects.note("trial ending: owner emailed");
  }
  return { instanceId, outcome: effects.summary(state.status) };
}

/** The consequences of one state, collected as plain sentences for the stored event's outcome. */
class Effects {
  private readonly notes: string[] = [];
  constructor(
    private readonly tx: Transaction,
    private readonly instance: Instance,
    private row: Subscription,
    private readonly now: Date,
  ) {}

  note(text: string) {
    this.notes.push(text);
  }

  summary(status: SubscriptionStatus) {
    return this.notes.length ? `${status}: ${this.notes.join("; ")}` : `${status}: nothing to change`;
  }

  private async update(patch: Partial<Subscription>) {
    const [row] = await this.tx
      .update(subscriptions)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(subscriptions.id, this.row.id))
      .returning();
    this.row = row!;
  }

  private async log(message: string, level: "info" | "success" | "warn" = "info") {
    await appendInstanceEvent(this.tx, { instanceId: this.instance.id, kind: "log", step: "billing", level, message });
  }

  /** Active or trialing: the instance should exist and serve. */
  async serving() {
    if (this.row.pastDueSince) {
      await cancelTimer(this.tx, suspensionJobKey(this.instance.id));
      await this.update({ pastDueSince: null, suspendAt: null });
      await this.log("Billing: payment received. The scheduled suspension is called off.", "success");
      this.note("payment settled, suspension called off");
    }
    if (this.instance.status === "awaiting_payment") {
      await transitionInstance(this.tx, this.instance.id, "queued", { message: "Payment received; provisioning is queued." });
      // The owner asked for this by paying at checkout, so it is theirs to cancel (and to retry).
      await startOperation(this.tx, {
        instanceId: this.instance.id,
        kind: "provision",
        initiator: "owner",
        requestedBy: this.instance.ownerId,
        reason: `Stripe subscription ${this.row.stripeSubscriptionId}`,
      });
      this.note("provisioning queued");
    } else if (this.row.suspendedFor === "non_payment" && this.instance.status === "suspended") {
      await startOperation(this.tx, { instanceId: this.instance.id, kind: "resume", initiator: "billing", reason: BILLING_REASONS.invoicePaid });
      await this.update({ suspendedFor: null });
      await this.log("Billing: the invoice is paid; resuming the site.", "success");
      this.note("resume started");
    } else if (this.row.suspendedFor === "non_payment" && this.instance.status === "running") {
      // The suspension has not finished yet: wait for it (the job is retried), then resume.
      const active = await activeOperation(this.tx, this.instance.id);
      if (active?.kind === "suspend") throw new OperationInProgressError(active.kind);
      await this.update({ suspendedFor: null });
    }
  }

  /** Past due: warn once, suspend when the grace period is over. */
  async overdue(owner: { email: string }, unpaidSince: Date | null) {
    if (["draft", "awaiting_payment"].includes(this.instance.status)) return; // nothing runs yet, nothing to suspend
    if (!this.row.pastDueSince) {
      // From the failed charge at the provider, not from when the portal heard of it: an event processed late (a
      // provider outage, a dead worker, a redelivery) must not lengthen the grace period, nor make it differ from the
      // one an in-order delivery would have given.
      const pastDueSince = unpaidSince && unpaidSince < this.now ? unpaidSince : this.now;
      const suspendAt = new Date(pastDueSince.getTime() + env().BILLING_GRACE_PERIOD_DAYS * DAY_MS);
      await this.update({ pastDueSince, suspendAt });
      await scheduleSuspension(this.tx, this.instance.id, suspendAt, this.now);
      await enqueueEmail(this.tx, paymentFailedEmail(owner, this.instance, suspendAt));
      await this.log(`Billing: the payment failed. The site will be suspended on ${day(suspendAt)} unless the invoice is paid.`, "warn");
      this.note(`payment failed: owner emailed, suspension scheduled for ${suspendAt.toISOString()}`);
    }
    const suspendAt = this.row.suspendAt!;
    if (this.row.suspendedFor) return;
    if (suspendAt > this.now) {
      await scheduleSuspension(this.tx, this.instance.id, suspendAt, this.now); // same key: moves, never duplicates
      return;
    }
    if (this.instance.status !== "running") return;
    await startOperation(this.tx, { instanceId: this.instance.id, kind: "suspend", initiator: "billing", reason: BILLING_REASONS.unpaid });
    await cancelTimer(this.tx, suspensionJobKey(this.instance.id));
    await this.update({ suspendedFor: "non_payment" });
    await enqueueEmail(this.tx, suspendedEmail(owner, this.instance));
    await this.log("Billing: the grace period is over and the invoice is unpaid; suspending the site. Its data is kept.", "warn");
    this.note("grace period over: suspension started");
  }

  /** Canceled: suspend now, deprovision after the retention period unless staff keep the instance. */
  async ended(owner: { email: string }, endedAt: Date) {
    if (this.row.pastDueSince) {
      await cancelTimer(this.tx, suspensionJobKey(this.instance.id));
      await this.update({ pastDueSince: null, suspendAt: null });
    }
    const hasServers = ["queued", "provisioning", "running", "suspended", "failed"].includes(this.instance.status);
    if (!hasServers) return;
    if (this.instance.status === "running" && this.row.suspendedFor !== "canceled") {
      await startOperation(this.tx, { instanceId: this.instance.id, kind: "suspend", initiator: "billing", reason: BILLING_REASONS.subscriptionEnded });
      await this.update({ suspendedFor: "canceled" });
      this.note("suspension started");
      // The deprovisioning is scheduled below; a due one starts on a later run, once the suspension is done.
    } else if (this.row.suspendedFor !== "canceled") {
      await this.update({ suspendedFor: "canceled" });
    }
    if (this.row.deprovisionKeptAt || this.row.deprovisionStartedAt) return;
    if (!this.row.deprovisionAt) {
      const deprovisionAt = new Date(endedAt.getTime() + env().BILLING_RETENTION_DAYS * DAY_MS);
      await this.update({ deprovisionAt });
      await enqueueEmail(this.tx, subscriptionEndedEmail(owner, this.instance, deprovisionAt));
      await this.log(`Billing: the subscription ended. The site is suspended; its data is kept until ${day(deprovisionAt)}, then deleted.`, "warn");
      this.note(`deprovisioning scheduled for ${deprovisionAt.toISOString()}`);
    }
    const deprovisionAt = this.row.deprovisionAt!;
    if (deprovisionAt > this.now) {
      await scheduleDeprovision(this.tx, this.instance.id, deprovisionAt, this.now);
      return;
    }
    const active = await activeOperation(this.tx, this.instance.id);
    if (active) {
      // Another operation (e.g. the suspension) first; the timer job comes back when it has finished.
      await scheduleDeprovision(this.tx, this.instance.id, new Date(this.now.getTime() + 60_000), this.now);
      this.note(`deprovisioning waits for the ${active.kind} operation`);
      return;
    }
    await startOperation(this.tx, {
      instanceId: this.instance.id,
      kind: "deprovision",
      initiator: "billing",
      reason: BILLING_REASONS.retentionOver,
    });
    await cancelTimer(this.tx, deprovisionJobKey(this.instance.id));
    await this.update({ deprovisionStartedAt: new Date() });
    await this.log("Billing: the retention period is over; deprovisioning the instance.", "warn");
    this.note("retention over: deprovisioning started");
  }

  /** The plan is recorded at once; applying it (VM size, limits) is a job that waits for any running operation. */
  async planChanged(from: string, to: string) {
    await this.tx.update(instances).set({ plan: to, updatedAt: new Date() }).where(eq(instances.id, this.instance.id));
    await this.log(`Billing: plan changed from ${planById(from).name} to ${planById(to).name}.`);
    if (["running", "suspended"].includes(this.instance.status)) {
      await enqueueJob(this.tx, "apply_plan_change", { instanceId: this.instance.id }, { jobKey: `billing:plan:${this.instance.id}` });
    }
    this.note(`plan changed from ${from} to ${to}`);
  }
}

const day = (date: Date) => date.toISOString().slice(0, 10);
