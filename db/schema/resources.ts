// The ledger of everything created for an instance: idempotency and teardown both read it.
import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { LedgerDetails, LedgerKind } from "@/server/instances/ledger-kinds";
import { instances } from "./instances";

export const instanceResources = pgTable(
  "instance_resources",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").notNull().references(() => instances.id, { onDelete: "cascade" }),
    // One of server/instances/ledger-kinds.ts, whose schema for the kind the details follow (checked on write and read).
    kind: text("kind").$type<LedgerKind>().notNull(),
    externalId: text("external_id").notNull(),
    // The column's default stays as migrated; no kind's details are empty, and every write names them.
    details: jsonb("details").$type<LedgerDetails>().notNull().default(sql`'{}'::jsonb`),
    // AES-256-GCM ciphertext (server/crypto/secrets.ts); never sent to a browser.
    secrets: text("secrets"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("instance_resources_identity").on(t.instanceId, t.kind, t.externalId),
    index("instance_resources_kind_idx").on(t.kind, t.externalId),
  ],
);

export type InstanceResource = typeof instanceResources.$inferSelect;
