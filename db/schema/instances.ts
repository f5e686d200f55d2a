import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { Branding } from "@/server/branding/branding";
import type { StaticPages } from "@/server/branding/static-pages";
import type { EmailSettings } from "@/server/mail/smtp-settings";
import { users } from "./users";

// The lifecycle's states; the allowed moves between them live in server/instances/lifecycle.ts.
export const instanceStatus = pgEnum("instance_status", [
  "draft",
  "awaiting_payment",
  "queued",
  "provisioning",
  "running",
  "failed",
  "suspended",
  "deprovisioning",
  "deprovisioned",
]);

/** Where a custom domain's DNS check stands (null when the instance has no custom domain). */
export const customDomainStatus = pgEnum("custom_domain_status", ["pending", "verified", "failed"]);

/** The registration wizard's steps, in order; a draft remembers the furthest one reached. */
export const wizardStep = pgEnum("wizard_step", ["instance", "domain", "branding", "email", "plan", "review"]);

export const instances = pgTable(
  "instances",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: text("owner_id").notNull().references(() => users.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    // Stored lower-case; the unique index on lower() also guards rows written by hand. A draft may not have
    // chosen one yet (the Domain step comes second); every instance past draft has one (check below).
    subdomain: text("subdomain"),
    // Punycode (ASCII), shown in Unicode. Serves only once verified; until then the subdomain does.
    customDomain: text("custom_domain"),
    customDomainStatus: customDomainStatus("custom_domain_status"),
    /** What the last DNS check found wrong, in words for the client. */
    customDomainProblem: text("custom_domain_problem"),
    customDomainCheckedAt: timestamp("custom_domain_checked_at", { withTimezone: true }),
    /** When checking started for the current domain: checks stop (failed) 72 h after it. */
    customDomainSince: timestamp("custom_domain_since", { withTimezone: true }),
    /** The value of the TXT record _lyceum-challenge.<custom domain> that proves the client controls it. */
    domainChallengeToken: text("domain_challenge_token").notNull().default(sql`replace(gen_random_uuid()::text, '-', '')`),
    plan: text("plan").notNull().default("starter"),
    contactEmail: text("contact_email"),
    contactEmailVerifiedAt: timestamp("contact_email_verified_at", { withTimezone: true }),
    description: text("description").notNull().default(""),
    privacyPolicyUrl: text("privacy_policy_url"),
    // The desired theme, pages and email settings. For a draft these are the registration; for a running
    // instance they are the owner's pending edits, and the active deployment's config is what is deployed.
    branding: jsonb("branding").$type<Branding>(),
    staticPages: jsonb("static_pages").$type<StaticPages>(),
    emailSettings: jsonb("email_settings").$type<EmailSettings>(),
    /** The client's own SMTP password, AES-256-GCM (server/crypto/secrets.ts); never sent to a browser. */
    smtpPasswordSealed: text("smtp_password_sealed"),
    /** When the SMTP settings last changed, so the deployed-vs-draft view can tell a new password apart. */
    emailSettingsChangedAt: timestamp("email_settings_changed_at", { withTimezone: true }),
    wizardStep: wizardStep("wizard_step").notNull().default("instance"),
    status: instanceStatus("status").notNull().default("draft"),
    // The deployment the load balancer routes to (no FK: deployments reference instances).
    activeDeploymentId: uuid("active_deployment_id"),
    // Per-instance event counter: bumping it row-locks the instance, so event sequence numbers are
    // committed in order and a live subscriber can resume from "seq > last" with no gap.
    lastEventSeq: bigint("last_event_seq", { mode: "number" }).notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("instances_subdomain_unique").on(sql`lower(${t.subdomain})`),
    uniqueIndex("instances_custom_domain_unique").on(sql`lower(${t.customDomain})`),
    index("instances_owner_idx").on(t.ownerId),
    index("instances_status_idx").on(t.status),
    index("instances_created_at_idx").on(t.createdAt),
    // Staff fleet search: substring matches (LIKE '%term%') through trigram indexes (migration 0003: pg_trgm).
    index("instances_name_trgm").using("gin", sql`lower(${t.name}) gin_trgm_ops`),
    index("instances_subdomain_trgm").using("gin", sql`lower(${t.subdomain}) gin_trgm_ops`),
    index("instances_custom_domain_trgm").using("gin", sql`lower(${t.customDomain}) gin_trgm_ops`),
    check("instances_subdomain_after_draft", sql`${t.status} = 'draft' or ${t.subdomain} is not null`),
  ],
);

export type Instance = typeof instances.$inferSelect;
export type InstanceStatus = (typeof instanceStatus.enumValues)[number];
export type WizardStep = (typeof wizardStep.enumValues)[number];
export type CustomDomainStatus = (typeof customDomainStatus.enumValues)[number];
