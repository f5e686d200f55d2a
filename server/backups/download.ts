// A backup handed to the people who may see its instance, as one plain tar: each artifact decrypted and checked on
// the way out (a GCM tag or checksum that does not match ends the download with an error, never a silent archive).
// Owners get their data without holding the backup's key, which never leaves the platform.
import { PassThrough, type Readable } from "node:stream";
import type { User } from "@/db/schema";
import { db } from "@/db";
import { mayReach } from "@/server/instances/access";
import { instanceById } from "@/server/instances/queries";
import { openBackupKey } from "./keys";
import type { BackupArtifact } from "./manifest";
import { backupById, backupStore } from "./store";
import { tarStream, type TarEntry } from "./tar";

type BackupDownload = { fileName: string; archive: Readable } | { refusal: { status: 404 | 409; message: string } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_FOUND = { refusal: { status: 404, message: "No such backup of this instance." } } as const;

/** Object keys become archive paths: no leading slash and no `..`, so extracting cannot write outside the folder. */
function safePath(objectKey: string) {
  return objectKey
    .split("/")
    .filter((part) => part && part !== "." && part !== "..")
    .join("/");
}

export async function backupDownload(user: Pick<User, "id" | "role" | "twoFactorEnabledAt"> | null, instanceId: string, backupId: string): Promise<BackupDownload> {
  if (!user || !UUID.test(instanceId) || !UUID.test(backupId)) return NOT_FOUND;
  const instance = await instanceById(instanceId);
  if (!instance || !(await mayReach(user, instance, { role: "admin", staff: true }))) return NOT_FOUND;
  const backup = await backupById(db, backupId);
  if (!backup || backup.instanceId !== instance.id) return NOT_FOUND;
  if (backup.status !== "verified") return { refusal: { status: 409, message: `That backup is ${backup.status}: only a verified backup can be downloaded.` } };

  const dataKey = openBackupKey(backup);
  const mtime = backup.createdAt;
  const decrypted = (artifact: BackupArtifact) => () => {
    const sink = new PassThrough();
    backupStore()
      .read(artifact, dataKey, sink)
      .catch((error: unknown) => sink.destroy(error as Error));
    return sink as AsyncIterable<Buffer>;
  };
  const { manifest } = backup;
  const manifestJson = Buffer.from(`${JSON.stringify({ ...manifest, backupId: backup.id, kind: backup.kind, createdAt: backup.createdAt }, null, 2)}\n`);
  const entries: TarEntry[] = [
    { name: "manifest.json", size: manifestJson.length, mtime, body: async function* () { yield manifestJson; } },
    ...(manifest.mysql?.databases ?? []).map((database) => ({ name: `mysql/${database.suffix}.sql`, size: database.artifact.dataBytes, mtime, body: decrypted(database.artifact) })),
    ...(manifest.rabbitmq ? [{ name: "rabbitmq/definitions.json", size: manifest.rabbitmq.artifact.dataBytes, mtime, body: decrypted(manifest.rabbitmq.artifact) }] : []),
    ...(manifest.objectStorage?.objects ?? []).map((object) => ({ name: `objects/${safePath(object.objectKey)}`, size: object.artifact.dataBytes, mtime, body: decrypted(object.artifact) })),
    ...(manifest.mongodb ? [{ name: "mongodb/archive.gz", size: manifest.mongodb.artifact.dataBytes, mtime, body: decrypted(manifest.mongodb.artifact) }] : []),
  ];
  const stamp = backup.createdAt.toISOString().replace(/[:.]/g, "-");
  return { fileName: `${instance.subdomain}-backup-${stamp}.tar`, archive: tarStream(entries) };
}
