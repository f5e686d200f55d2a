// The object-storage capability: a private, versioned bucket per instance with CORS for its sites and a
// lifecycle for its tracking logs, and an access key that reaches that bucket only.
import type { BucketKeyIssuer } from "./bucket-keys";

export type BucketSpec = {
  bucket: string;
  /** Browser origins allowed to call the bucket (the instance's LMS, Studio, …). */
  corsOrigins: string[];
  /** Objects under this prefix expire after `expireAfterDays` (and their old versions a day after that). */
  trackingLogs: { prefix: string; expireAfterDays: number };
};

export interface ObjectStorageDriver {
  readonly name: string;
  /** What the instances' application servers are told (the endpoint is undefined for AWS S3). */
  readonly settings: { endpoint: string | undefined; region: string; forcePathStyle: boolean };
  /** Creates the bucket, or brings an existing one to exactly this configuration. */
  ensureBucket(spec: BucketSpec, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  /** Deletes every object version, delete marker and unfinished upload, then the bucket. Already gone: fine. */
  deleteBucket(bucket: string, signal?: AbortSignal): Promise<{ existed: boolean; deletedVersions: number }>;
  /** The bytes the bucket holds: every object version (a versioned bucket keeps and bills them all); no delete markers. */
  bucketUsageBytes(bucket: string, signal?: AbortSignal): Promise<number>;
  /** Every bucket the platform's account owns (for reconciling with the ledger; callers filter by prefix). */
  listBuckets(signal?: AbortSignal): Promise<string[]>;
  readonly keys: BucketKeyIssuer;
  close(): Promise<void>;
}
