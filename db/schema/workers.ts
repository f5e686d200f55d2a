// Heartbeats of worker processes: how a crashed worker's job locks are found and released.
import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const workerProcesses = pgTable("worker_processes", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  // graphile-worker's own worker ids (jobs.locked_by) that belong to this process.
  graphileWorkerIds: text("graphile_worker_ids").array().notNull().default([]),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  lastHeartbeatAt: timestamp("last_heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
  // host:port of this process's Prometheus endpoint, listed by /api/prometheus/workers (null: not exposed).
  metricsAddress: text("metrics_address"),
});

export type WorkerProcess = typeof workerProcesses.$inferSelect;
