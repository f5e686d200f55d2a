// Each user's customer at the billing provider, created once (Stripe idempotency keys last only 24 hours).
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./users";

export const billingCustomers = pgTable("billing_customers", {
  userId: text("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),
  stripeCustomerId: text("stripe_customer_id").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type BillingCustomer = typeof billingCustomers.$inferSelect;
