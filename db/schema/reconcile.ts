// Reconcile reports: what the backends hold that the ledger does not know (orphans), and what the ledger
// says exists but is gone (ghosts). The latest few are kept; server/reconcile/ makes them.
import { jsonb, pgEnum, pgTable, text, timestamp, uuid, index } from "drizzle-orm/pg-core";
import { users } from "./users";

export const reconcileTrigger = pgEnum("reconcile_trigger", ["schedule", "staff"]);

/** A resource in a backend, under Lyceum's prefix, that no live ledger entry owns. */
export type ReconcileOrphan = {
  kind: string;
  externalId: string;
  /** The instance its name points to (its resource key or deployment), when that instance still exists. */
  instanceId: string | null;
  note: string;
};

/** A live ledger entry whose resource is gone from its backend. */
export type ReconcileGhost = { kind: string; externalId: string; instanceId: string; entryId: string };

/** What the clean-up did to each orphan of the report. */
export type ReconcileCleanupResult = { kind: string; externalId: string; outcome: "removed" | "skipped" | "failed"; detail: string };

export const reconcileReports = pgTable(
  "reconcile_reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    trigger: reconcileTrigger("trigger").notNull(),
    requestedBy: text("requested_by").references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** The backends inventoried, with how many resources each holds under the prefix. */
    inventories: jsonb("inventories").$type<{ kind: string; count: number }[]>().notNull().default([]),
    orphans: jsonb("orphans").$type<ReconcileOrphan[]>().notNull().default([]),
    ghosts: jsonb("ghosts").$type<ReconcileGhost[]>().notNull().default([]),
    /** A backend that could not be listed: none of its resources is called orphan or ghost. */
    errors: jsonb("errors").$type<{ kind: string; message: string }[]>().notNull().default([]),
    cleanupRequestedAt: timestamp("cleanup_requested_at", { withTimezone: true }),
    cleanupRequestedBy: text("cleanup_requested_by").references(() => users.id, { onDelete: "set null" }),
    cleanupFinishedAt: timestamp("cleanup_finished_at", { withTimezone: true }),
    cleanup: jsonb("cleanup").$type<ReconcileCleanupResult[]>(),
  },
  (t) => [index("reconcile_reports_started_idx").on(t.startedAt)],
);

export type ReconcileReport = typeof reconcileReports.$inferSelect;
