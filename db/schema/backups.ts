// One row per backup of an instance: where its encrypted artifacts are in the backup bucket, their manifest
// (sizes, checksums), and the sealed key that opens them. Rows outlive the instance's resources: a deprovisioned
// instance keeps its final backup, and the row stays even if the instance row itself were ever removed.
import { bigint, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { BackupManifest } from "@/server/backups/manifest";
import { instances } from "./instances";

/** `scheduled` by the daily schedule; the `pre_*` kinds are taken by the operation they precede. */
export const backupKind = pgEnum("backup_kind", ["scheduled", "manual", "pre_deprovision", "pre_restore", "pre_redeploy", "pre_plan_change", "pre_upgrade"]);

/** `running` while artifacts are written; `verified` once every stored checksum was read back and matched. */
export const backupStatus = pgEnum("backup_status", ["running", "verified", "failed"]);

export const backups = pgTable(
  "backups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "set null" }),
    /** The operation that took it (a backup, or the deprovision or restore it preceded). */
    operationId: uuid("operation_id"),
    kind: backupKind("kind").notNull(),
    status: backupStatus("status").notNull().default("running"),
    /** Where its artifacts live in the backup bucket (LYCEUM_BACKUP_BUCKET). */
    bucket: text("bucket").notNull(),
    prefix: text("prefix").notNull(),
    /** Stored (compressed, encrypted) bytes over every artifact. */
    storedBytes: bigint("stored_bytes", { mode: "number" }).notNull().default(0),
    /** The data's own bytes before compression. */
    dataBytes: bigint("data_bytes", { mode: "number" }).notNull().default(0),
    manifest: jsonb("manifest").$type<BackupManifest>().notNull(),
    /** The backup's AES-256-GCM data key, sealed with LYCEUM_ENCRYPTION_KEY (server/crypto/secrets.ts). */
    keySealed: text("key_sealed").notNull(),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("backups_instance_idx").on(t.instanceId, t.createdAt), index("backups_operation_idx").on(t.operationId)],
);

export type Backup = typeof backups.$inferSelect;
export type BackupKind = (typeof backupKind.enumValues)[number];
