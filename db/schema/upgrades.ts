// One row per upgrade of an instance to another release: what it moved from and to, the backup taken before, whether
// its migrations ran, and until when the old deployment is kept as the fallback a rollback switches back to.
import { sql } from "drizzle-orm";
import { boolean, index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { backups } from "./backups";
import { instances } from "./instances";
import { instanceOperations } from "./operations";
import { releases } from "./releases";

/**
 * running: the upgrade operation is under way; upgraded: the new release serves, the fallback is kept; failed: the
 * old release kept serving; rolled_back: the old release serves again; settled: the fallback was retired.
 */
export const upgradeStatus = pgEnum("upgrade_status", ["running", "upgraded", "failed", "rolled_back", "settled"]);

export const instanceUpgrades = pgTable(
  "instance_upgrades",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    operationId: uuid("operation_id").notNull().references(() => instanceOperations.id, { onDelete: "cascade" }),
    fromReleaseId: uuid("from_release_id").notNull().references(() => releases.id),
    toReleaseId: uuid("to_release_id").notNull().references(() => releases.id),
    /** The deployment that served before: the fallback. */
    fromDeploymentId: uuid("from_deployment_id"),
    /** The deployment on the new release, once rendered. */
    toDeploymentId: uuid("to_deployment_id"),
    /** The pre-upgrade backup a rollback restores when migrations ran. */
    backupId: uuid("backup_id").references(() => backups.id, { onDelete: "set null" }),
    /** Whether the new release's migrations changed the databases: a rollback then restores the backup first. */
    hasRunMigrations: boolean("has_run_migrations").notNull().default(false),
    status: upgradeStatus("status").notNull().default("running"),
    /** Set at the switch: until then a rollback may switch back; after it the sweep retires the fallback. */
    fallbackUntil: timestamp("fallback_until", { withTimezone: true }),
    /** The rollback operation, once one was asked for. */
    rollbackOperationId: uuid("rollback_operation_id").references(() => instanceOperations.id, { onDelete: "set null" }),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    switchedAt: timestamp("switched_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("instance_upgrades_operation_unique").on(t.operationId),
    index("instance_upgrades_instance_idx").on(t.instanceId, t.createdAt),
    index("instance_upgrades_fallback_idx").on(t.fallbackUntil).where(sql`${t.status} = 'upgraded'`),
  ],
);

export type InstanceUpgrade = typeof instanceUpgrades.$inferSelect;
export type UpgradeStatus = (typeof upgradeStatus.enumValues)[number];
