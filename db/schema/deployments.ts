// One row per attempt to bring up application servers for an instance (Ocim's "app servers").
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { DeploymentConfig } from "@/server/deployments/config";
import { instances } from "./instances";
import { instanceOperations } from "./operations";
import { releases } from "./releases";

export const deploymentStatus = pgEnum("deployment_status", [
  "new",
  "waiting_for_vm",
  "configuring",
  "running",
  "configuration_failed",
  "error",
  "terminated",
]);

export const deployments = pgTable(
  "deployments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    // The operation that created it: a retried step finds its own deployment instead of making another.
    operationId: uuid("operation_id").references(() => instanceOperations.id, { onDelete: "set null" }),
    status: deploymentStatus("status").notNull().default("new"),
    computeDriver: text("compute_driver").notNull(),
    // How many application servers it runs (deployment_servers), fixed when its configuration is rendered.
    serverCount: integer("server_count").notNull().default(1),
    // The Open edX release it runs (null: configured before releases were recorded).
    releaseId: uuid("release_id").references(() => releases.id),
    // Its first server's VM (or local process) id and address, once known; every server is in deployment_servers.
    serverId: text("server_id"),
    address: text("address"),
    // Since when its server is stopped (OVH: shelved) because the instance stayed suspended past its grace
    // (SUSPENDED_SERVERS_STOP_AFTER_DAYS); resuming starts it again and clears this.
    serverStoppedAt: timestamp("server_stopped_at", { withTimezone: true }),
    // The schema and its parts: server/deployments/config.ts.
    config: jsonb("config").$type<DeploymentConfig>(),
    // The config's passwords and keys, AES-256-GCM sealed (server/crypto/secrets.ts); merged in at boot.
    secrets: text("secrets"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp("activated_at", { withTimezone: true }),
    terminatedAt: timestamp("terminated_at", { withTimezone: true }),
  },
  (t) => [index("deployments_instance_idx").on(t.instanceId, t.createdAt)],
);

export type Deployment = typeof deployments.$inferSelect;
export type DeploymentStatus = (typeof deploymentStatus.enumValues)[number];
