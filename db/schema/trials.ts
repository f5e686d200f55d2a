// Free trials given: one per account and, with Stripe, one per card. A row outlives the instance, the
// subscription and even the account (it is matched by address too), so cancelling, deleting an instance or
// making the account again does not earn a second trial.
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { users } from "./users";

export const trials = pgTable(
  "trials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    /** The account's address (lower-cased, as users.email is) when the trial started. */
    email: text("email").notNull(),
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "set null" }),
    /** The billing provider's subscription that had the trial. */
    subscriptionId: text("subscription_id").notNull(),
    /** Stripe's fingerprint of the card on the trial (the same card number gives the same fingerprint), when there was one. */
    cardFingerprint: text("card_fingerprint"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The unique indexes are the rule itself: two trials claimed at once for one address or one card cannot both be written.
    uniqueIndex("trials_subscription_unique").on(t.subscriptionId),
    uniqueIndex("trials_email_unique").on(t.email),
    uniqueIndex("trials_card_fingerprint_unique").on(t.cardFingerprint),
    index("trials_user_idx").on(t.userId),
  ],
);

export type Trial = typeof trials.$inferSelect;
