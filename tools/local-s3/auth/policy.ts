// What each principal may do, checked on every request before the bucket is even looked up (so a scoped key
// cannot learn whether another bucket exists). The root key may do everything. A scoped key works like an
// IAM user whose policy grants object and listing actions on its buckets only: it cannot list, create or
// delete buckets, nor change a bucket's configuration (CORS, versioning, lifecycle, ACL) — the platform owns that.
import type { Principal } from "../access-keys";
import { accessDenied } from "../errors";
import type { OperationName } from "../routes";

const SCOPED_KEY_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  "HeadBucket", "GetBucketLocation", "GetBucketAcl", "GetBucketCors", "GetBucketVersioning", "GetBucketLifecycleConfiguration",
  "ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads", "DeleteObjects",
  "PutObject", "CopyObject", "GetObject", "HeadObject", "DeleteObject", "GetObjectAcl",
  "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
]);

/** What IAM's s3:PutObject covers: a key whose uploads are blocked (over its storage quota) may do none of these. */
const UPLOAD_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  "PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload",
]);

export function authorize(principal: Principal, operation: OperationName, bucket: string) {
  if (principal.kind === "root") return;
  if (!SCOPED_KEY_OPERATIONS.has(operation) || !principal.buckets.includes(bucket)) throw accessDenied();
  if (principal.uploadsBlocked && UPLOAD_OPERATIONS.has(operation)) throw accessDenied("Uploads are blocked: the bucket is over its storage quota");
}

/** For operations that touch a second bucket (CopyObject's source). */
export function authorizeRead(principal: Principal, bucket: string) {
  if (principal.kind === "scoped" && !principal.buckets.includes(bucket)) throw accessDenied();
}
