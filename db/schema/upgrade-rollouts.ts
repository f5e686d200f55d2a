// Staff upgrade the fleet in waves: a rollout picks instances (by release and plan), a percentage of them at a time,
// each wave's upgrades are ordinary upgrade operations, and the rollout stops by itself when a wave fails too often.
// The sweep that moves rollouts on is jobs/upgrades/advance-rollouts.ts; nothing here loops inside a request.
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { instanceOperations } from "./operations";
import { releases } from "./releases";
import { users } from "./users";

/** now: each wave's upgrades start at once; in_window: each instance's in its own upgrade window. */
export const rolloutTiming = pgEnum("rollout_timing", ["now", "in_window"]);

/** running: waves go on; completed: no instance left to pick; stopped: a wave passed the threshold, or staff stopped it. */
export const rolloutStatus = pgEnum("rollout_status", ["running", "completed", "stopped"]);

export const upgradeRollouts = pgTable(
  "upgrade_rollouts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    toReleaseId: uuid("to_release_id").notNull().references(() => releases.id),
    /** Only instances on these releases (empty: any release older than the target). */
    fromReleaseIds: uuid("from_release_ids").array().notNull().default([]),
    /** Only instances on these plans (empty: any plan). */
    plans: text("plans").array().notNull().default([]),
    /** Each wave takes this share of the instances that matched when the rollout started (at least one). */
    wavePercent: integer("wave_percent").notNull(),
    /** The rollout stops when more than this share of a wave's instances failed their upgrade. */
    failureThresholdPercent: integer("failure_threshold_percent").notNull(),
    timing: rolloutTiming("timing").notNull(),
    /** How many instances matched at the start: the base of the wave size. */
    fleetSize: integer("fleet_size").notNull(),
    status: rolloutStatus("status").notNull().default("running"),
    /** Why it stopped, in words for staff (the threshold passed, or the reason staff gave). */
    stoppedReason: text("stopped_reason"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("upgrade_rollouts_status_idx").on(t.status, t.createdAt)],
);

/** running: its upgrades are under way or waiting for windows; passed: all ended within the threshold; failed: it passed the threshold. */
export const waveStatus = pgEnum("upgrade_wave_status", ["running", "passed", "failed"]);

export const upgradeWaves = pgTable(
  "upgrade_waves",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    rolloutId: uuid("rollout_id").notNull().references(() => upgradeRollouts.id, { onDelete: "cascade" }),
    /** 1, 2, … in the order they started. */
    number: integer("number").notNull(),
    status: waveStatus("status").notNull().default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("upgrade_waves_rollout_number_unique").on(t.rolloutId, t.number)],
);

/**
 * waiting: not started yet (its window, or an operation under way); upgrading: its upgrade operation runs;
 * upgraded / failed: how that operation ended; skipped: it could not be upgraded (no longer running, already on the
 * target), which is not counted as a failure; not_started: the rollout stopped before it started.
 */
export const waveInstanceStatus = pgEnum("upgrade_wave_instance_status", ["waiting", "upgrading", "upgraded", "failed", "skipped", "not_started"]);

export const upgradeWaveInstances = pgTable(
  "upgrade_wave_instances",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    rolloutId: uuid("rollout_id").notNull().references(() => upgradeRollouts.id, { onDelete: "cascade" }),
    waveId: uuid("wave_id").notNull().references(() => upgradeWaves.id, { onDelete: "cascade" }),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    status: waveInstanceStatus("status").notNull().default("waiting"),
    operationId: uuid("operation_id").references(() => instanceOperations.id, { onDelete: "set null" }),
    /** Why it was skipped or failed. */
    detail: text("detail"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // An instance is in at most one wave of a rollout.
    uniqueIndex("upgrade_wave_instances_rollout_instance_unique").on(t.rolloutId, t.instanceId),
    index("upgrade_wave_instances_wave_idx").on(t.waveId),
  ],
);

export type UpgradeRollout = typeof upgradeRollouts.$inferSelect;
export type UpgradeWave = typeof upgradeWaves.$inferSelect;
export type UpgradeWaveInstance = typeof upgradeWaveInstances.$inferSelect;
export type WaveInstanceStatus = (typeof waveInstanceStatus.enumValues)[number];
