// The backup rows of an instance, and the store their artifacts live in.
import { randomUUID } from "node:crypto";
import { and, desc, eq, getTableColumns } from "drizzle-orm";
import type { Queryable } from "@/db";
import { backups, type Backup, type BackupKind, type Instance } from "@/db/schema";
import { env } from "@/server/env";
import { createBackupStore, type BackupStore } from "@/server/infra/backups/archive-store";
import { platformS3Client } from "@/server/infra/object-storage/client";
import { newSealedBackupKey } from "./keys";
import { backupManifest, emptyManifest, type BackupManifest } from "./manifest";

let store: BackupStore | undefined;

/** The platform's backup bucket (LYCEUM_BACKUP_BUCKET), through the platform's S3 client. */
export function backupStore(): BackupStore {
  store ??= createBackupStore(platformS3Client(), env().LYCEUM_BACKUP_BUCKET);
  return store;
}

/** The backup an operation is taking, made on its first attempt and found again on each retry. */
export async function backupOfOperation(q: Queryable, instance: Instance, operationId: string, kind: BackupKind): Promise<Backup> {
  const [existing] = await q
    .select()
    .from(backups)
    .where(and(eq(backups.operationId, operationId), eq(backups.kind, kind)))
    .limit(1);
  if (existing) return existing;
  const id = randomUUID();
  const [row] = await q
    .insert(backups)
    .values({
      id,
      instanceId: instance.id,
      operationId,
      kind,
      bucket: backupStore().bucket,
      prefix: `instances/${instance.id}/${id}/`,
      manifest: emptyManifest(instance),
      keySealed: newSealedBackupKey({ id, instanceId: instance.id }),
    })
    .returning();
  return row!;
}

/** Writes one part of the manifest (the others stay as they are) and the totals over every artifact. */
export async function saveManifestPart(q: Queryable, backupId: string, part: Partial<BackupManifest>) {
  const [row] = await q.select().from(backups).where(eq(backups.id, backupId));
  const manifest = backupManifest.parse({ ...row!.manifest, ...part });
  await q.update(backups).set({ manifest }).where(eq(backups.id, backupId));
  return manifest;
}

export async function backupById(q: Queryable, backupId: string) {
  const [row] = await q.select().from(backups).where(eq(backups.id, backupId));
  return row ?? null;
}

/** The instance's backups as people see them: everything but the sealed key, which only the platform opens. */
export async function backupListOf(q: Queryable, instanceId: string) {
  const shown = Object.fromEntries(Object.entries(getTableColumns(backups)).filter(([name]) => name !== "keySealed")) as Omit<
    ReturnType<typeof getTableColumns<typeof backups>>,
    "keySealed"
  >;
  return q.select(shown).from(backups).where(eq(backups.instanceId, instanceId)).orderBy(desc(backups.createdAt));
}
