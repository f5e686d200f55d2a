// Every hostname an instance serves or will serve, claimed once across the fleet: the primary key is what keeps
// two instances (or an instance and the portal) from ever answering for, or holding a certificate for, one name.
import { sql } from "drizzle-orm";
import { check, index, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";

/** Which of the instance's Open edX names this is (server/instances/hostnames.ts derives them). */
export const hostnameKind = pgEnum("hostname_kind", ["lms", "studio", "preview", "apps"]);
/** What the name is derived from: the subdomain under the hosting domain, or the client's custom domain. */
export const hostnameSource = pgEnum("hostname_source", ["subdomain", "custom_domain"]);

export const instanceHostnames = pgTable(
  "instance_hostnames",
  {
    /** Lower-case ASCII (punycode), no trailing dot. */
    hostname: text("hostname").primaryKey(),
    instanceId: uuid("instance_id")
      .notNull()
      .references(() => instances.id, { onDelete: "cascade" }),
    kind: hostnameKind("kind").notNull(),
    source: hostnameSource("source").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("instance_hostnames_instance_idx").on(t.instanceId), check("instance_hostnames_lower_case", sql`${t.hostname} = lower(${t.hostname})`)],
);

export type InstanceHostname = typeof instanceHostnames.$inferSelect;
export type NewInstanceHostname = typeof instanceHostnames.$inferInsert;
