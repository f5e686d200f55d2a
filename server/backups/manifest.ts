// What a backup holds, artifact by artifact: the manifest stored with the backup row (and beside its artifacts),
// against which every read of the backup is checked.
import { z } from "zod";

/** Bumped when the layout of artifacts changes; a restore refuses manifests it does not know. */
export const BACKUP_FORMAT_VERSION = 1;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** One stored object: gzip, then AES-256-GCM (IV and tag here, never in the object), under the backup's key. */
export const backupArtifact = z.object({
  /** Object key in the backup bucket. */
  key: z.string().min(1),
  /** Bytes as stored, and their sha256: a flipped or missing byte is caught before anything is decrypted. */
  storedBytes: z.number().int().nonnegative(),
  storedSha256: sha256,
  /** Bytes of the data itself, and their sha256: what a restore must reproduce exactly. */
  dataBytes: z.number().int().nonnegative(),
  dataSha256: sha256,
  iv: z.string().min(1),
  tag: z.string().min(1),
});

export const backupManifest = z.object({
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  instanceId: z.uuid(),
  resourceKey: z.string(),
  mysql: z
    .object({
      /** `mariadb-dump --version`, and the server's version: what produced the dumps. */
      dumpTool: z.string(),
      serverVersion: z.string(),
      databases: z.array(z.object({ name: z.string(), suffix: z.string(), artifact: backupArtifact })),
    })
    .nullable()
    .default(null),
  rabbitmq: z
    .object({ vhost: z.string(), rabbitVersion: z.string().nullable(), artifact: backupArtifact })
    .nullable()
    .default(null),
  objectStorage: z
    .object({
      bucket: z.string(),
      objects: z.array(
        z.object({
          objectKey: z.string(),
          versionId: z.string().nullable(),
          contentType: z.string().nullable(),
          artifact: backupArtifact,
        }),
      ),
    })
    .nullable()
    .default(null),
  mongodb: z
    .object({
      /** The instance's database, `mongodump --version`, and the archive (`--archive --gzip`) it wrote. */
      database: z.string(),
      dumpTool: z.string(),
      artifact: backupArtifact,
    })
    .nullable()
    .default(null),
  /** Why a part of the instance is not in the backup (no MongoDB server, no bucket yet, …). */
  notes: z.array(z.string()).default([]),
});

export type BackupArtifact = z.infer<typeof backupArtifact>;
export type BackupManifest = z.infer<typeof backupManifest>;

export function emptyManifest(instance: { id: string; resourceKey: string }): BackupManifest {
  return { formatVersion: BACKUP_FORMAT_VERSION, instanceId: instance.id, resourceKey: instance.resourceKey, mysql: null, rabbitmq: null, objectStorage: null, mongodb: null, notes: [] };
}

export function artifactsOf(manifest: BackupManifest): BackupArtifact[] {
  return [
    ...(manifest.mysql?.databases.map((database) => database.artifact) ?? []),
    ...(manifest.rabbitmq ? [manifest.rabbitmq.artifact] : []),
    ...(manifest.objectStorage?.objects.map((object) => object.artifact) ?? []),
    ...(manifest.mongodb ? [manifest.mongodb.artifact] : []),
  ];
}
