// What a deployment's server reported about its boot, one row per phase (cloud-init, docker, images, …): the
// instance page streams the same reports as events; this table is what the estimates of later boots are taken from.
import { index, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { deployments } from "./deployments";

/** In the order a server goes through them (server/deployments/boot-phases.ts says what each one covers). */
export const bootPhase = pgEnum("boot_phase", ["cloud-init", "docker", "images", "launch", "migrations", "health"]);
export const bootPhaseStatus = pgEnum("boot_phase_status", ["started", "succeeded", "failed"]);

export const deploymentBootPhases = pgTable(
  "deployment_boot_phases",
  {
    deploymentId: uuid("deployment_id").notNull().references(() => deployments.id, { onDelete: "cascade" }),
    phase: bootPhase("phase").notNull(),
    status: bootPhaseStatus("status").notNull(),
    // The server's own clock: it is what measured the phase.
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    // The end of the failing command's output, capped and scrubbed of secrets before it is stored.
    outputTail: text("output_tail"),
    reportedAt: timestamp("reported_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.deploymentId, t.phase] }),
    // The estimate reads the latest successful boots of one phase.
    index("deployment_boot_phases_estimate_idx").on(t.phase, t.status, t.finishedAt),
  ],
);

export type DeploymentBootPhase = typeof deploymentBootPhases.$inferSelect;
export type BootPhase = (typeof bootPhase.enumValues)[number];
export type BootPhaseStatus = (typeof bootPhaseStatus.enumValues)[number];
