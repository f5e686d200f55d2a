// The buckets and their objects on disk, with an in-memory index loaded at start:
//   <data dir>/buckets/<bucket>/bucket.json          name, creation date, versioning, CORS, lifecycle
//   <data dir>/buckets/<bucket>/objects/<sha256(key)>.json   every version of one key, newest first
//   <data dir>/buckets/<bucket>/blobs/<id>          the bytes of one object version
//   <data dir>/buckets/<bucket>/tmp/                 uploads in progress (emptied at start)
// A version's bytes are written first and its metadata last (atomically), so a crash never publishes half an
// object; blobs nothing refers to are deleted at the next start.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync } from "node:fs";
import path from "node:path";
import { noSuchBucket, S3Error } from "../errors";
import type { ChecksumAlgorithm } from "../payload/checksums";
import type { CorsRule } from "../cors";
import type { LifecycleRule } from "../lifecycle";
import { randomId, writeJsonAtomically } from "./files";

type VersioningStatus = "Enabled" | "Suspended";

type BucketConfig = {
  name: string;
  createdAt: string;
  /** null: versioning was never enabled (S3's "unversioned" state, which a bucket cannot return to). */
  versioning: VersioningStatus | null;
  cors: CorsRule[] | null;
  lifecycle: LifecycleRule[] | null;
  /** A hard quota on the bytes of every stored version (the admin API sets it); absent or null: none. */
  quotaBytes?: number | null;
};

/** The headers S3 keeps with an object and sends back on GET. */
export type ObjectHeaders = {
  contentType: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
};

export type StoredChecksum = { algorithm: ChecksumAlgorithm; value: string; type: "FULL_OBJECT" | "COMPOSITE" };

export type ObjectData = ObjectHeaders & {
  size: number;
  /** Without quotes: the MD5 in hex, or `<md5 of part md5s>-<part count>` for a multipart upload. */
  etag: string;
  /** User metadata: lower-case names without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
  checksum: StoredChecksum | null;
  storageClass: string;
  partCount?: number;
};

export type ObjectVersion =
  | ({ key: string; versionId: string; seq: number; lastModified: string; isDeleteMarker: false; blob: string } & ObjectData)
  | { key: string; versionId: string; seq: number; lastModified: string; isDeleteMarker: true };

export type StoredObject = Extract<ObjectVersion, { isDeleteMarker: false }>;

/** A blob written to the bucket's tmp folder, not yet part of any object. */
export type StagedBlob = { path: string };

type BucketRecord = {
  config: BucketConfig;
  dir: string;
  /** Key → versions, newest first. */
  objects: Map<string, ObjectVersion[]>;
  sortedKeys: string[] | null;
};

export class ObjectStore {
  private readonly root: string;
  private readonly buckets = new Map<string, BucketRecord>();
  private nextSeq = 1;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, "buckets");
    mkdirSync(this.root, { recursive: true });
    for (const name of readdirSync(this.root)) {
      const dir = path.join(this.root, name);
      if (!existsSync(path.join(dir, "bucket.json"))) continue;
      this.buckets.set(name, this.loadBucket(dir));
    }
  }

  // ---- buckets

  listBuckets(): BucketConfig[] {
    return [...this.buckets.values()].map((record) => record.config).sort((a, b) => compareKeys(a.name, b.name));
  }

  bucket(name: string): BucketConfig | null {
    return this.buckets.get(name)?.config ?? null;
  }

  requireBucket(name: string): BucketConfig {
    return this.record(name).config;
  }

  createBucket(name: string, now: Date): BucketConfig {
    if (this.buckets.has(name)) {
      throw new S3Error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", {
        details: { BucketName: name },
      });
    }
    const dir = path.join(this.root, name);
    for (const sub of ["objects", "blobs", "tmp", "uploads"]) mkdirSync(path.join(dir, sub), { recursive: true });
    const config: BucketConfig = { name, createdAt: now.toISOString(), versioning: null, cors: null, lifecycle: null };
    writeJsonAtomically(path.join(dir, "bucket.json"), config);
    this.buckets.set(name, { config, dir, objects: new Map(), sortedKeys: null });
    return config;
  }

  updateBucket(name: string, change: Partial<Omit<BucketConfig, "name" | "createdAt">>): BucketConfig {
    const record = this.record(name);
    record.config = { ...record.config, ...change };
    writeJsonAtomically(path.join(record.dir, "bucket.json"), record.config);
    return record.config;
  }

  /** Refuses while any version or delete marker is left, like S3; unfinished multipart uploads go with it. */
  deleteBucket(name: string) {
    const record = this.record(name);
    if (record.objects.size > 0) {
      throw new S3Error("BucketNotEmpty", "The bucket you tried to delete is not empty. You must delete all versions in the bucket.", {
        details: { BucketName: name },
      });
    }
    this.buckets.delete(name);
    rmSync(record.dir, { recursive: true, force: true });
  }

  bucketDir(name: string): string {
    return this.record(name).dir;
  }

  // ---- objects

  /** Keys that have at least one version (delete markers included), in S3's order: UTF-8 bytes. */
  keys(bucket: string): string[] {
    const record = this.record(bucket);
    record.sortedKeys ??= [...record.objects.keys()].sort(compareKeys);
    return record.sortedKeys;
  }

  /** Every version of a key, newest first. */
  versions(bucket: string, key: string): readonly ObjectVersion[] {
    return this.record(bucket).objects.get(key) ?? [];
  }

  /** The newest version (possibly a delete marker), or null when the key has none. */
  latest(bucket: string, key: string): ObjectVersion | null {
    return this.versions(bucket, key)[0] ?? null;
  }

  /** A writable path in the bucket's tmp folder for a new blob. */
  stageBlob(bucket: string): StagedBlob {
    return { path: path.join(this.record(bucket).dir, "tmp", randomId(18)) };
  }

  discard(staged: StagedBlob) {
    rmSync(staged.path, { force: true });
  }

  blobPath(bucket: string, version: StoredObject): string {
    return path.join(this.record(bucket).dir, "blobs", version.blob);
  }

  /**
   * Makes a staged blob the newest version of `key`. Versioning decides its id: a new one when Enabled,
   * otherwise "null", which replaces the key's previous null version (and that one's bytes). Synchronous, so a
   * caller that checked a precondition (If-None-Match) just before cannot be overtaken by another request.
   */
  addObject(bucket: string, key: string, staged: StagedBlob, data: ObjectData, now: Date): StoredObject {
    const record = this.record(bucket);
    this.assertWithinQuota(record, key, data.size, staged);
    const blob = randomId(18);
    renameSync(staged.path, path.join(record.dir, "blobs", blob));
    const version: StoredObject = { key, versionId: this.newVersionId(record), seq: this.nextSeq++, lastModified: now.toISOString(), isDeleteMarker: false, blob, ...data };
    this.pushVersion(record, version);
    return version;
  }

  addDeleteMarker(bucket: string, key: string, now: Date): ObjectVersion {
    const record = this.record(bucket);
    const marker: ObjectVersion = { key, versionId: this.newVersionId(record), seq: this.nextSeq++, lastModified: now.toISOString(), isDeleteMarker: true };
    this.pushVersion(record, marker);
    return marker;
  }

  /** Deletes one version for good; null when there was no such version. */
  removeVersion(bucket: string, key: string, versionId: string): ObjectVersion | null {
    const record = this.record(bucket);
    const versions = record.objects.get(key) ?? [];
    const removed = versions.find((version) => version.versionId === versionId);
    if (!removed) return null;
    this.saveVersions(record, key, versions.filter((version) => version !== removed));
    this.deleteBlob(record, removed);
    return removed;
  }

  /** The bytes of every version in the bucket: what its quota counts. */
  usedBytes(bucket: string): number {
    let used = 0;
    for (const versions of this.record(bucket).objects.values()) for (const version of versions) if (!version.isDeleteMarker) used += version.size;
    return used;
  }

  /**
   * Refuses a version that would take the bucket past its quota, as Ceph does once the body is in (a version
   * that replaces the key's null version frees that one's bytes). The staged bytes are dropped.
   */
  private assertWithinQuota(record: BucketRecord, key: string, size: number, staged: StagedBlob) {
    const quota = record.config.quotaBytes;
    if (quota === undefined || quota === null) return;
    const replaced = record.config.versioning === "Enabled" ? 0 : (record.objects.get(key) ?? []).reduce((sum, v) => sum + (!v.isDeleteMarker && v.versionId === "null" ? v.size : 0), 0);
    const used = this.usedBytes(record.config.name) - replaced;
    if (used + size <= quota) return;
    this.discard(staged);
    throw new S3Error("QuotaExceeded", `Bucket quota exceeded: ${used} of ${quota} bytes are used and this object needs ${size}`, {
      details: { BucketName: record.config.name },
    });
  }

  private newVersionId(record: BucketRecord) {
    return record.config.versioning === "Enabled" ? randomId(24) : "null";
  }

  private pushVersion(record: BucketRecord, version: ObjectVersion) {
    const previous = record.objects.get(version.key) ?? [];
    const replaced = version.versionId === "null" ? previous.filter((v) => v.versionId === "null") : [];
    this.saveVersions(record, version.key, [version, ...previous.filter((v) => !replaced.includes(v))]);
    for (const old of replaced) this.deleteBlob(record, old);
  }

  private saveVersions(record: BucketRecord, key: string, versions: ObjectVersion[]) {
    const file = path.join(record.dir, "objects", `${keyFileName(key)}.json`);
    if (versions.length === 0) {
      rmSync(file, { force: true });
      record.objects.delete(key);
      record.sortedKeys = null;
      return;
    }
    writeJsonAtomically(file, { key, versions });
    if (!record.objects.has(key)) record.sortedKeys = null;
    record.objects.set(key, versions);
  }

  private deleteBlob(record: BucketRecord, version: ObjectVersion) {
    // Readers that already opened the file keep reading it: unlinking only removes the name.
    if (!version.isDeleteMarker) rmSync(path.join(record.dir, "blobs", version.blob), { force: true });
  }

  private record(name: string): BucketRecord {
    const record = this.buckets.get(name);
    if (!record) throw noSuchBucket(name);
    return record;
  }

  private loadBucket(dir: string): BucketRecord {
    const config = JSON.parse(readFileSync(path.join(dir, "bucket.json"), "utf8")) as BucketConfig;
    for (const sub of ["objects", "blobs", "tmp", "uploads"]) mkdirSync(path.join(dir, sub), { recursive: true });
    rmSync(path.join(dir, "tmp"), { recursive: true, force: true });
    mkdirSync(path.join(dir, "tmp"));
    const objects = new Map<string, ObjectVersion[]>();
    const blobsInUse = new Set<string>();
    for (const file of readdirSync(path.join(dir, "objects"))) {
      if (!file.endsWith(".json")) continue;
      const saved = JSON.parse(readFileSync(path.join(dir, "objects", file), "utf8")) as { key: string; versions: ObjectVersion[] };
      objects.set(saved.key, saved.versions);
      for (const version of saved.versions) {
        this.nextSeq = Math.max(this.nextSeq, version.seq + 1);
        if (!version.isDeleteMarker) blobsInUse.add(version.blob);
      }
    }
    for (const blob of readdirSync(path.join(dir, "blobs"))) {
      if (!blobsInUse.has(blob)) unlinkSync(path.join(dir, "blobs", blob));
    }
    return { config, dir, objects, sortedKeys: null };
  }
}

/** S3 orders keys by their UTF-8 bytes (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const keyFileName = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");
