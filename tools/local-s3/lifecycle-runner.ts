// Applies every bucket's lifecycle expiration rules at a given moment, as S3's daily lifecycle run does:
// expired current versions are deleted (unversioned bucket) or hidden behind a delete marker (versioned),
// expired noncurrent versions and lone delete markers are removed, stale multipart uploads are aborted.
// Times count like S3's: creation (or becoming noncurrent) + N days, rounded up to the next midnight UTC.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
import type { LifecycleAction } from "@/server/infra/object-storage/local-s3-admin-protocol";
import { ruleSelects, type LifecycleRule } from "./lifecycle";
import type { MultipartUploads } from "./storage/multipart-uploads";
import type { ObjectStore } from "./storage/object-store";

const DAY_MS = 86_400_000;

/** The moment an object created at `from` expires after `days` days (S3 rounds up to midnight UTC). */
export function expiresAt(from: Date | string, days: number): Date {
  const due = new Date(from).getTime() + days * DAY_MS;
  return new Date(Math.ceil(due / DAY_MS) * DAY_MS);
}

export function applyLifecycle(store: ObjectStore, uploads: MultipartUploads, now: Date): LifecycleAction[] {
  const actions: LifecycleAction[] = [];
  for (const bucket of store.listBuckets()) {
    for (const rule of bucket.lifecycle ?? []) {
      if (rule.status !== "Enabled") continue;
      for (const key of [...store.keys(bucket.name)]) {
        if (!ruleSelects(rule, key, null)) continue;
        actions.push(...expireCurrentVersion(store, bucket.name, key, rule, now));
        actions.push(...expireNoncurrentVersions(store, bucket.name, key, rule, now));
        actions.push(...removeExpiredDeleteMarker(store, bucket.name, key, rule));
      }
      const abortAfter = rule.abortIncompleteMultipartUpload?.daysAfterInitiation;
      if (abortAfter === undefined) continue;
      for (const upload of uploads.list(bucket.name)) {
        if (!ruleSelects(rule, upload.key, null) || now < expiresAt(upload.initiated, abortAfter)) continue;
        uploads.remove(upload);
        actions.push({ bucket: bucket.name, key: upload.key, rule: rule.id, action: "aborted-multipart-upload", uploadId: upload.uploadId });
      }
    }
  }
  return actions;
}

function expireCurrentVersion(store: ObjectStore, bucket: string, key: string, rule: LifecycleRule, now: Date): LifecycleAction[] {
  const expiration = rule.expiration;
  const current = store.latest(bucket, key);
  if (!expiration || !current || current.isDeleteMarker || !ruleSelects(rule, key, current.size)) return [];
  const isDue =
    (expiration.days !== undefined && now >= expiresAt(current.lastModified, expiration.days)) ||
    (expiration.date !== undefined && now >= new Date(expiration.date));
  if (!isDue) return [];
  if (store.requireBucket(bucket).versioning === null) {
    store.removeVersion(bucket, key, current.versionId);
    return [{ bucket, key, rule: rule.id, action: "deleted-current-version", versionId: current.versionId }];
  }
  const marker = store.addDeleteMarker(bucket, key, now);
  return [{ bucket, key, rule: rule.id, action: "added-delete-marker", versionId: marker.versionId }];
}

function expireNoncurrentVersions(store: ObjectStore, bucket: string, key: string, rule: LifecycleRule, now: Date): LifecycleAction[] {
  const noncurrent = rule.noncurrentVersionExpiration;
  if (!noncurrent) return [];
  const versions = store.versions(bucket, key);
  const expired = versions.filter((version, index) => {
    if (index === 0) return false;
    // The newest N noncurrent versions are kept whatever their age.
    if (index <= (noncurrent.newerNoncurrentVersions ?? 0)) return false;
    if (!version.isDeleteMarker && !ruleSelects(rule, key, version.size)) return false;
    const noncurrentSince = versions[index - 1]!.lastModified;
    return now >= expiresAt(noncurrentSince, noncurrent.noncurrentDays);
  });
  return expired.map((version) => {
    store.removeVersion(bucket, key, version.versionId);
    return { bucket, key, rule: rule.id, action: "deleted-noncurrent-version" as const, versionId: version.versionId };
  });
}

function removeExpiredDeleteMarker(store: ObjectStore, bucket: string, key: string, rule: LifecycleRule): LifecycleAction[] {
  if (!rule.expiration?.expiredObjectDeleteMarker) return [];
  const versions = store.versions(bucket, key);
  const only = versions[0];
  if (versions.length !== 1 || !only?.isDeleteMarker) return [];
  store.removeVersion(bucket, key, only.versionId);
  return [{ bucket, key, rule: rule.id, action: "removed-expired-delete-marker", versionId: only.versionId }];
}
