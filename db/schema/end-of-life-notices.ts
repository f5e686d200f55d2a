// An instance on an end-of-life release is told once, with a deadline, and upgraded in its window after it
// (jobs/upgrades/end-of-life.ts). One row per instance and release: the email is sent when the row is made.
import { pgTable, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { instanceOperations } from "./operations";
import { releases } from "./releases";

export const endOfLifeNotices = pgTable(
  "end_of_life_notices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    /** The end-of-life release the instance ran when it was told. */
    releaseId: uuid("release_id").notNull().references(() => releases.id),
    /** Told to move before this; after it Lyceum upgrades the instance in its window. */
    deadline: timestamp("deadline", { withTimezone: true }).notNull(),
    emailedAt: timestamp("emailed_at", { withTimezone: true }).notNull().defaultNow(),
    /** The last upgrade Lyceum started after the deadline, and when (a failed one is tried again a day later). */
    upgradeOperationId: uuid("upgrade_operation_id").references(() => instanceOperations.id, { onDelete: "set null" }),
    lastUpgradeAttemptAt: timestamp("last_upgrade_attempt_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("end_of_life_notices_instance_release_unique").on(t.instanceId, t.releaseId)],
);

export type EndOfLifeNotice = typeof endOfLifeNotices.$inferSelect;
