import { boolean, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { users } from "./users";

// Each Stripe event takes effect once: the id is the primary key, a replay inserts nothing.
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    // Filled in by the processing job: which instance the event concerned and what it changed.
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "set null" }),
    outcome: text("outcome"),
  },
  (t) => [index("stripe_events_instance_idx").on(t.instanceId, t.receivedAt)],
);

// Stripe's subscription statuses (https://docs.stripe.com/api/subscriptions/object#subscription_object-status).
export const subscriptionStatus = pgEnum("subscription_status", [
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "unpaid",
  "paused",
  "canceled",
]);

/** Why billing suspended an instance; a payment resumes only what non-payment suspended. */
export const billingSuspension = pgEnum("billing_suspension", ["non_payment", "canceled"]);

// Our copy of each instance's subscription, as the billing driver last reported it, plus the timers
// billing has set on the instance. Times are on the billing clock (the local driver's clock can be advanced).
export const subscriptions = pgTable(
  "subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").notNull().unique().references(() => instances.id, { onDelete: "cascade" }),
    stripeCustomerId: text("stripe_customer_id"),
    stripeSubscriptionId: text("stripe_subscription_id").unique(),
    plan: text("plan").notNull(),
    status: subscriptionStatus("status").notNull(),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    trialEndsAt: timestamp("trial_ends_at", { withTimezone: true }),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
    hasPaymentMethod: boolean("has_payment_method").notNull().default(false),
    /** When we first saw the subscription past due; the grace period runs from here. */
    pastDueSince: timestamp("past_due_since", { withTimezone: true }),
    /** When the instance is suspended unless paid (a `suspend_for_nonpayment` job runs then). */
    suspendAt: timestamp("suspend_at", { withTimezone: true }),
    suspendedFor: billingSuspension("suspended_for"),
    /** When an ended subscription's instance is deprovisioned (a `deprovision_after_retention` job runs then). */
    deprovisionAt: timestamp("deprovision_at", { withTimezone: true }),
    /** Set when the retention period ended and billing started the deprovision operation. */
    deprovisionStartedAt: timestamp("deprovision_started_at", { withTimezone: true }),
    /** Set when staff called off the scheduled deprovisioning. */
    deprovisionKeptAt: timestamp("deprovision_kept_at", { withTimezone: true }),
    deprovisionKeptBy: text("deprovision_kept_by").references(() => users.id, { onDelete: "set null" }),
    syncedAt: timestamp("synced_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("subscriptions_customer_idx").on(t.stripeCustomerId), index("subscriptions_status_idx").on(t.status)],
);

export type StripeEventRow = typeof stripeEvents.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;
export type SubscriptionStatus = (typeof subscriptionStatus.enumValues)[number];
export type BillingSuspension = (typeof billingSuspension.enumValues)[number];
