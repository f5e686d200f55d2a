// What the autoscaler last read of each instance's load (server/deployments/autoscale.ts): the request counter it
// measures the next rate from, and since when the load has been above or below the plan's thresholds.
import { bigint, integer, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";

export const autoscaleStates = pgTable("autoscale_states", {
  instanceId: uuid("instance_id")
    .primaryKey()
    .references(() => instances.id, { onDelete: "cascade" }),
  // HAProxy's counters start again at 0 in each new worker (every reload): a sample from another worker is only a
  // new starting point, never a rate.
  haproxyProcessId: integer("haproxy_process_id").notNull(),
  requestsTotal: bigint("requests_total", { mode: "number" }).notNull(),
  sampledAt: timestamp("sampled_at", { withTimezone: true }).notNull(),
  /** Since when every sample was above a scale-out threshold; null when the last one was not. */
  highSince: timestamp("high_since", { withTimezone: true }),
  /** Since when every sample was below the scale-in threshold; null when the last one was not. */
  lowSince: timestamp("low_since", { withTimezone: true }),
});

export type AutoscaleState = typeof autoscaleStates.$inferSelect;
