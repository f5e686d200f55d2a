// Organisations: who an instance belongs to. Every account is a member of at least one (its personal
// organisation, made at sign-up); each member holds one role, and every check of it goes through the one access
// path (server/instances/access.ts, server/organisations/access.ts).
import { sql } from "drizzle-orm";
import { index, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/** What a member may do (server/organisations/roles.ts says which role satisfies which). */
export const organisationRole = pgEnum("organisation_role", ["owner", "admin", "billing", "viewer"]);

export const organisations = pgTable(
  "organisations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /**
     * The account this is the personal organisation of (made at sign-up, or by the migration for accounts that
     * existed before organisations): new drafts of that account go here. Null for a team made later.
     */
    personalOf: text("personal_of").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("organisations_personal_of_unique").on(t.personalOf)],
);

export const memberships = pgTable(
  "memberships",
  {
    organisationId: uuid("organisation_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: organisationRole("role").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/**
 * An invitation by email: only the SHA-256 of the link's token is stored; it is single-use (used_at), expires,
 * and is accepted only by an account whose confirmed address is `email`.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organisationId: uuid("organisation_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    /** Stored lower-cased, as account addresses are. */
    email: text("email").notNull(),
    role: organisationRole("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    usedBy: text("used_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_unique").on(t.tokenHash),
    index("invitations_organisation_idx").on(t.organisationId).where(sql`${t.usedAt} is null and ${t.revokedAt} is null`),
  ],
);

export type Organisation = typeof organisations.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type OrganisationRole = (typeof organisationRole.enumValues)[number];
