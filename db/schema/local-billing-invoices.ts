// The offline billing driver's invoices (Stripe's invoice object, reduced to what the portal reads).
import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const localBillingInvoices = pgTable(
  "local_billing_invoices",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    customerId: text("customer_id").notNull(),
    number: text("number").notNull(),
    /** Stripe's invoice statuses: open until paid; paid; void. */
    status: text("status", { enum: ["open", "paid", "void"] }).notNull(),
    amountDue: integer("amount_due").notNull(),
    amountPaid: integer("amount_paid").notNull().default(0),
    billingReason: text("billing_reason").notNull(),
    periodStart: timestamp("period_start", { withTimezone: true }).notNull(),
    periodEnd: timestamp("period_end", { withTimezone: true }).notNull(),
    attemptCount: integer("attempt_count").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    paidAt: timestamp("paid_at", { withTimezone: true }),
  },
  (t) => [index("local_billing_invoices_customer_idx").on(t.customerId), index("local_billing_invoices_subscription_idx").on(t.subscriptionId)],
);

export type LocalBillingInvoice = typeof localBillingInvoices.$inferSelect;
