// What an instance uses against its plan's limits, as last measured (server/usage/): its bucket's size, its
// learners and courses, and which warnings were already sent, so each crossing is announced once.
import { bigint, boolean, integer, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";

export const instanceUsage = pgTable("instance_usage", {
  instanceId: uuid("instance_id").primaryKey().references(() => instances.id, { onDelete: "cascade" }),
  measuredAt: timestamp("measured_at", { withTimezone: true }).notNull(),
  // Every version in the (versioned) bucket: what the provider bills and the quota counts.
  storageBytes: bigint("storage_bytes", { mode: "number" }),
  // Null until Open edX has created its tables (a server still booting, or the local stand-in that runs no LMS).
  learners: integer("learners"),
  courses: integer("courses"),
  // The highest storage warning sent since usage was last below it: 0, 80 or 100 (per cent of the quota).
  storageWarnedPercent: integer("storage_warned_percent").notNull().default(0),
  uploadsBlocked: boolean("uploads_blocked").notNull().default(false),
  learnersOverLimit: boolean("learners_over_limit").notNull().default(false),
  coursesOverLimit: boolean("courses_over_limit").notNull().default(false),
});

export type InstanceUsage = typeof instanceUsage.$inferSelect;
