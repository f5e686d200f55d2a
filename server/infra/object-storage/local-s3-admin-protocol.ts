// The local S3 server's admin API as both ends see it: where it lives and what it answers. The driver's admin
// client (local-s3-admin-client.ts) speaks it and the emulator (tools/local-s3/admin-api.ts) serves it; the
// product owns the contract so the emulator, a tool, depends on the product and never the other way round.
//   GET    /_lyceum/access-keys           → 200 { accessKeys: PublicScopedAccessKey[] }
//   POST   /_lyceum/access-keys           { buckets: string[], name?: string } → 201 ScopedAccessKey
//   GET    /_lyceum/access-keys/<id>      → 200 PublicScopedAccessKey | 404 NoSuchEntity
//   PATCH  /_lyceum/access-keys/<id>      { uploadsBlocked: boolean } → 200 PublicScopedAccessKey | 404 NoSuchEntity
//   DELETE /_lyceum/access-keys/<id>      → 204 | 404 NoSuchEntity
//   POST   /_lyceum/lifecycle/run         → 200 { actions: LifecycleAction[] }
//   PUT    /_lyceum/buckets/<name>/quota  { bytes: number | null } → 200 BucketQuota | 404 NoSuchBucket
//          (a hard quota on the bytes of every version; a write past it is refused 403 QuotaExceeded, as by Ceph)
// Requests are signed with SigV4 and the root key; errors are `{ "code": …, "message": … }` with S3's status codes.

/** No bucket name can start with "_", so this prefix never shadows a bucket. */
export const ADMIN_PATH_PREFIX = "/_lyceum/";

export type Credentials = { accessKeyId: string; secretAccessKey: string };

export type ScopedAccessKey = Credentials & {
  /** Buckets this key may use (they need not exist yet, as with an IAM policy). */
  buckets: string[];
  /** A label for people and for finding the key again (e.g. the instance it was made for). */
  name: string | null;
  createdAt: string;
  /**
   * Over its storage quota (server/usage/): the key may read, list and delete but write nothing, as an IAM user
   * whose policy denies s3:PutObject (which also covers copies and multipart uploads).
   */
  uploadsBlocked?: boolean;
};

/** A key without its secret: what listing and lookups show (the secret is only returned when it is made). */
export type PublicScopedAccessKey = Omit<ScopedAccessKey, "secretAccessKey">;

/** One thing a lifecycle run did. */
export type LifecycleAction = {
  bucket: string;
  key: string;
  rule: string;
  action: "deleted-current-version" | "added-delete-marker" | "deleted-noncurrent-version" | "removed-expired-delete-marker" | "aborted-multipart-upload";
  versionId?: string;
  uploadId?: string;
};

/** A bucket's quota and what its versions take now. */
export type BucketQuota = { bucket: string; quotaBytes: number | null; usedBytes: number };
