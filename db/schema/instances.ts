import { sql } from "drizzle-orm";
import { bigint, index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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

export const instances = pgTable(
  "instances",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: text("owner_id").notNull().references(() => users.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    // Stored lower-case; the unique index on lower() also guards rows written by hand.
    subdomain: text("subdomain").notNull(),
    customDomain: text("custom_domain"),
    plan: text("plan").notNull(),
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
  ],
);

export type Instance = typeof instances.$inferSelect;
export type InstanceStatus = (typeof instanceStatus.enumValues)[number];
