// The offline billing driver's subscriptions: what Stripe would hold, kept in Postgres. Times are on the
// local billing clock (local-billing-clock.ts), which staff can advance.
import { boolean, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { subscriptionStatus } from "./billing";

export const localBillingSubscriptions = pgTable("local_billing_subscriptions", {
  id: text("id").primaryKey(),
  customerId: text("customer_id").notNull(),
  priceId: text("price_id").notNull(),
  status: subscriptionStatus("status").notNull(),
  metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
  currentPeriodStart: timestamp("current_period_start", { withTimezone: true }).notNull(),
  currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }).notNull(),
  trialEnd: timestamp("trial_end", { withTimezone: true }),
  trialWillEndSentAt: timestamp("trial_will_end_sent_at", { withTimezone: true }),
  cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
  canceledAt: timestamp("canceled_at", { withTimezone: true }),
  endedAt: timestamp("ended_at", { withTimezone: true }),
  hasPaymentMethod: boolean("has_payment_method").notNull().default(true),
  /** Staff's "make the next payment fail": the card on file declines until it is replaced or this is cleared. */
  cardDeclines: boolean("card_declines").notNull().default(false),
  latestInvoiceId: text("latest_invoice_id"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

export type LocalBillingSubscription = typeof localBillingSubscriptions.$inferSelect;
