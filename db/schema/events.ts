// Append-only log of what happened to an instance; every insert is pg_notify'd (see the migration's trigger).
import { bigint, bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { instanceOperations } from "./operations";

export const eventLevel = pgEnum("event_level", ["debug", "info", "success", "warn", "error"]);

export const eventKind = pgEnum("event_kind", [
  "operation_started",
  "operation_finished",
  "step_started",
  "step_succeeded",
  "step_skipped",
  "step_failed",
  "status_changed",
  "log",
  // A deployment's server reporting a phase of its boot (server/deployments/boot-phases.ts).
  "boot_phase",
]);

export const instanceEvents = pgTable(
  "instance_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    // Dense per instance, committed in order: the resume cursor of live subscriptions.
    seq: bigint("seq", { mode: "number" }).notNull(),
    operationId: uuid("operation_id").references(() => instanceOperations.id, { onDelete: "set null" }),
    kind: eventKind("kind").notNull(),
    step: text("step"),
    level: eventLevel("level").notNull().default("info"),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("instance_events_instance_seq").on(t.instanceId, t.seq),
    index("instance_events_operation_idx").on(t.operationId),
  ],
);

export type InstanceEvent = typeof instanceEvents.$inferSelect;
export type EventKind = (typeof eventKind.enumValues)[number];
export type EventLevel = (typeof eventLevel.enumValues)[number];
