// One row per thing done to an instance (provision, redeploy, …); at most one unfinished per instance.
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { backups } from "./backups";
import { instances } from "./instances";
import { users } from "./users";

export const operationKind = pgEnum("operation_kind", [
  "provision",
  "reconfigure",
  "redeploy",
  "suspend",
  "resume",
  "deprovision",
  "backup",
  "restore",
  // A failing application server swapped for a new one (server/deployments/app-server-health.ts).
  "replace_server",
  "upgrade",
  "rollback",
  // One application server added or removed by the autoscaler (server/deployments/autoscale.ts).
  "scale_out",
  "scale_in",
]);

/**
 * Who started an operation, which decides who may cancel it: an owner cancels only what an owner started;
 * what billing, staff or Lyceum itself started is cancelled by staff (audited) or not at all.
 */
export const operationInitiator = pgEnum("operation_initiator", ["owner", "staff", "billing", "system"]);

/**
 * How a redeploy switches to its new servers: full waits until every one answers (never fewer healthy servers than
 * before); fast switches once N-1 answer (never fewer than N-1), leaving the last to join or be replaced.
 */
export const rolloutKind = pgEnum("rollout_kind", ["full", "fast"]);

export const operationStatus = pgEnum("operation_status", ["queued", "running", "succeeded", "failed", "cancelled"]);

export const instanceOperations = pgTable(
  "instance_operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    kind: operationKind("kind").notNull(),
    status: operationStatus("status").notNull().default("queued"),
    // "system" for rows from before this column, and for anything inserted without saying: the safe default,
    // since an owner may cancel only operations marked "owner".
    initiator: operationInitiator("initiator").notNull().default("system"),
    requestedBy: text("requested_by").references(() => users.id, { onDelete: "set null" }),
    reason: text("reason"),
    error: text("error"),
    /** A restore's source backup (null for every other kind). */
    backupId: uuid("backup_id").references(() => backups.id, { onDelete: "set null" }),
    /** A redeploy's rollout (null for every other kind, and for a redeploy: full). */
    rollout: rolloutKind("rollout"),
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    // One operation at a time per instance (docs/architecture.md): the database refuses a second unfinished one.
    uniqueIndex("instance_operations_one_active")
      .on(t.instanceId)
      .where(sql`${t.status} in ('queued', 'running')`),
    index("instance_operations_instance_idx").on(t.instanceId, t.createdAt),
  ],
);

export const stepStatus = pgEnum("step_status", ["running", "succeeded", "failed", "skipped"]);

// Which steps of an operation are done: a retried job skips these.
export const operationSteps = pgTable(
  "operation_steps",
  {
    operationId: uuid("operation_id").notNull().references(() => instanceOperations.id, { onDelete: "cascade" }),
    step: text("step").notNull(),
    status: stepStatus("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    result: text("result"),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    details: jsonb("details"),
  },
  (t) => [primaryKey({ columns: [t.operationId, t.step] })],
);

export type InstanceOperation = typeof instanceOperations.$inferSelect;
export type OperationKind = (typeof operationKind.enumValues)[number];
export type OperationInitiator = (typeof operationInitiator.enumValues)[number];
export type RolloutKind = (typeof rolloutKind.enumValues)[number];
export type OperationStatus = (typeof operationStatus.enumValues)[number];
