// Accounts: the Auth.js tables (shape required by @auth/drizzle-adapter) plus our password hash and role.
import { sql } from "drizzle-orm";
import { bigint, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["client", "staff"]);

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey().$defaultFn(() => crypto.randomUUID()),
    name: text("name"),
    // Always stored lower-cased, so the unique index is case-insensitive.
    email: text("email").notNull(),
    emailVerified: timestamp("email_verified", { mode: "date", withTimezone: true }),
    image: text("image"),
    passwordHash: text("password_hash"),
    role: userRole("role").notNull().default("client"),
    /**
     * Goes up by one whenever the password is reset or changed. Sessions carry the value they were issued
     * with and are refused once it differs, so a reset signs out every session taken before it.
     */
    credentialVersion: integer("credential_version").notNull().default(0),
    /** The authenticator app's TOTP secret (sealed), once enrolment is confirmed with a code from the app. */
    twoFactorSecretSealed: text("two_factor_secret_sealed"),
    /** A secret shown for enrolment and not yet confirmed: it signs nobody in until a code from it is entered. */
    twoFactorPendingSecretSealed: text("two_factor_pending_secret_sealed"),
    twoFactorEnabledAt: timestamp("two_factor_enabled_at", { withTimezone: true }),
    /** The last 30-second step a code was accepted for: a code is good once, so one seen over a shoulder is spent. */
    twoFactorLastStep: bigint("two_factor_last_step", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    // Staff fleet search by owner email (substring match; pg_trgm, migration 0003).
    index("users_email_trgm").using("gin", sql`${t.email} gin_trgm_ops`),
  ],
);

export const accounts = pgTable(
  "accounts",
  {
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable("sessions", {
  sessionToken: text("session_token").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  expires: timestamp("expires", { mode: "date", withTimezone: true }).notNull(),
});

export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamp("expires", { mode: "date", withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

export type User = typeof users.$inferSelect;
export type UserRole = (typeof userRole.enumValues)[number];
