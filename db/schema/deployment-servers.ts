// One row per application server of a deployment: a deployment runs N of them behind the load balancer
// (N from the plan or a staff override, server/deployments/app-servers.ts), and a dead one is replaced by a
// new row with the next index, so a server's row and its VM share one life.
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { deployments } from "./deployments";
import { instances } from "./instances";

/**
 * booting: asked of the compute driver, not yet answering /heartbeat; healthy: answered its last check;
 * failing: missed its checks since failingSince; removed: destroyed (replaced, retired or scaled in).
 */
export const appServerState = pgEnum("app_server_state", ["booting", "healthy", "failing", "removed"]);

export const deploymentServers = pgTable(
  "deployment_servers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    deploymentId: uuid("deployment_id").notNull().references(() => deployments.id, { onDelete: "cascade" }),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    // 0, 1, 2, …: names the server to its driver (server/infra/compute/driver.ts serverKeyOf); never reused
    // within a deployment, so a replacement is a new VM, never the dead one's name.
    serverIndex: integer("server_index").notNull(),
    serverId: text("server_id"),
    address: text("address"),
    state: appServerState("state").notNull().default("booting"),
    failingSince: timestamp("failing_since", { withTimezone: true }),
    checkedAt: timestamp("checked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("deployment_servers_index").on(t.deploymentId, t.serverIndex), index("deployment_servers_instance_idx").on(t.instanceId)],
);

export type DeploymentServer = typeof deploymentServers.$inferSelect;
export type AppServerState = (typeof appServerState.enumValues)[number];
