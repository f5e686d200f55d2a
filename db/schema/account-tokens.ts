// One-time links sent by email (verify an address, reset a password): only the SHA-256 of the token is
// stored, so a database leak yields no usable link; each is single-use and expires.
import { index, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { users } from "./users";

export const accountTokenPurpose = pgEnum("account_token_purpose", ["verify_email", "reset_password", "verify_contact_email"]);

export const accountTokens = pgTable(
  "account_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    purpose: accountTokenPurpose("purpose").notNull(),
    /** The address the link was sent to: verifying proves control of this one, not of a later one. */
    email: text("email").notNull(),
    /** For verify_contact_email: the instance whose contact address this is. */
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("account_tokens_user_idx").on(t.userId, t.purpose)],
);

export type AccountToken = typeof accountTokens.$inferSelect;
export type AccountTokenPurpose = (typeof accountTokenPurpose.enumValues)[number];
