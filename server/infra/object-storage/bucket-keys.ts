// Access keys that reach one bucket and nothing else: what each instance's application server signs with.
export type S3KeyPair = { accessKeyId: string; secretAccessKey: string };

/** Every call takes the step's signal and its own time limit (server/infra/call-options.ts). */
export interface BucketKeyIssuer {
  readonly name: string;
  /**
   * Whether keys hang off a principal that must be made first (an IAM user with a policy naming the bucket).
   * Where keys carry their scope themselves, `principal` is only the label that finds them again.
   */
  readonly hasPrincipals: boolean;
  /** The principal exists and may use this bucket (and no other); a no-op without principals. */
  ensurePrincipal(principal: string, bucket: string, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  /** The ids of the principal's keys, to reuse the one the ledger knows and delete any it does not. */
  listKeys(principal: string, signal?: AbortSignal): Promise<string[]>;
  createKey(principal: string, bucket: string, signal?: AbortSignal): Promise<S3KeyPair>;
  deleteKey(principal: string, accessKeyId: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
  /**
   * Over the storage quota (server/usage/): the principal's keys may no longer write to the bucket (reads, listings
   * and deletes still work, so the client can free space); `false` lifts it. Setting what is already set is a no-op.
   */
  setUploadsBlocked(principal: string, bucket: string, blocked: boolean): Promise<void>;
  /** Every principal Lyceum made (IAM users under its path), for reconciling with the ledger; absent without principals. */
  listPrincipals?(signal?: AbortSignal): Promise<string[]>;
  /** Deletes the principal (after its keys); already gone is not an error. */
  deletePrincipal(principal: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
}

/** The IAM policy of a principal that may use `bucket` and its objects, and nothing else. */
export function bucketOnlyPolicy(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListTheBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation"],
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Sid: "UseItsObjects",
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:DeleteObjectVersion",
          "s3:GetObjectAcl",
          "s3:PutObjectAcl",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ],
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  };
}

/** The second inline policy of a principal over its quota: an explicit Deny beats the Allow of bucketOnlyPolicy. */
export function uploadsBlockedPolicy(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "OverStorageQuota", Effect: "Deny", Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${bucket}/*` }],
  };
}
