// Failures that tests ask the pipeline runner to inject into a step (jobs/runner/faults.ts). Read only when
// LYCEUM_ENABLE_FAULT_INJECTION=1, so a row here does nothing in production.
import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { operationKind } from "./operations";

/** `fail` throws the message; `hang` never finishes (until the step times out, is cancelled or the worker dies). */
export const faultAction = pgEnum("fault_action", ["fail", "hang"]);
/** `before` the step does its work, or `after` it (its resources exist, but the step is not recorded as done). */
export const faultPhase = pgEnum("fault_phase", ["before", "after"]);

export const faultInjections = pgTable(
  "fault_injections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Null: any instance.
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "cascade" }),
    // Null: any kind of operation.
    operationKind: operationKind("operation_kind"),
    step: text("step").notNull(),
    action: faultAction("action").notNull().default("fail"),
    phase: faultPhase("phase").notNull().default("before"),
    message: text("message").notNull().default("injected fault"),
    // A retryable failure lets graphile-worker try again; a permanent one fails the operation at once.
    isRetryable: boolean("is_retryable").notNull().default(false),
    // How many more times it fires.
    remainingHits: integer("remaining_hits").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastHitAt: timestamp("last_hit_at", { withTimezone: true }),
  },
  (t) => [index("fault_injections_step_idx").on(t.step).where(sql`${t.remainingHits} > 0`)],
);

export type FaultInjection = typeof faultInjections.$inferSelect;
export type NewFaultInjection = typeof faultInjections.$inferInsert;
