// What staff did (or tried to do) to the fleet: who, what, to which instance, when, why, and how it ended.
import { index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";
import { users } from "./users";

/** accepted: the intent was written; refused: a check said no (the detail says why); failed: an error. */
export const auditOutcome = pgEnum("audit_outcome", ["accepted", "refused", "failed"]);

export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    // Kept as written, so the trail still names the person after their account is gone.
    actorEmail: text("actor_email").notNull(),
    // A staff action's name (server/staff/actions/), e.g. cancel_operation.
    action: text("action").notNull(),
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "set null" }),
    // The rows the action aimed at (operation id, job id, …), for the record.
    target: jsonb("target").$type<Record<string, unknown>>().notNull().default({}),
    reason: text("reason").notNull(),
    outcome: auditOutcome("outcome").notNull(),
    detail: text("detail").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_instance_idx").on(t.instanceId, t.createdAt),
    index("audit_log_created_idx").on(t.createdAt),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;
export type AuditOutcome = (typeof auditOutcome.enumValues)[number];
