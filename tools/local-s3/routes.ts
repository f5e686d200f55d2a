// Which S3 operation a request is, from its method, path and sub-resource query parameters (path-style
// addressing: /<bucket>/<key>). Sub-resources this server does not implement answer NotImplemented.
import { S3Error } from "./errors";

export type OperationName =
  | "ListBuckets"
  | "CreateBucket" | "DeleteBucket" | "HeadBucket" | "GetBucketLocation"
  | "GetBucketAcl" | "PutBucketAcl"
  | "GetBucketCors" | "PutBucketCors" | "DeleteBucketCors"
  | "GetBucketVersioning" | "PutBucketVersioning"
  | "GetBucketLifecycleConfiguration" | "PutBucketLifecycleConfiguration" | "DeleteBucketLifecycle"
  | "ListObjects" | "ListObjectsV2" | "ListObjectVersions" | "ListMultipartUploads" | "DeleteObjects"
  | "PutObject" | "CopyObject" | "GetObject" | "HeadObject" | "DeleteObject" | "GetObjectAcl" | "PutObjectAcl"
  | "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" | "AbortMultipartUpload" | "ListParts";

/** Sub-resources S3 has and this server does not (a request naming one is refused rather than misread). */
const UNSUPPORTED = [
  "accelerate", "analytics", "attributes", "encryption", "intelligent-tiering", "inventory", "legal-hold", "logging",
  "metadataTable", "metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
  "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select", "tagging", "torrent", "website",
];

export function resolveOperation(
  request: { method: string; bucket: string; key: string; hasCopySource: boolean },
  has: (name: string) => boolean,
): OperationName {
  const { method, bucket, key } = request;
  const unsupported = UNSUPPORTED.find(has);
  if (unsupported) throw new S3Error("NotImplemented", `The ?${unsupported} sub-resource is not implemented by this server.`);
  if (!bucket) {
    if (method === "GET") return "ListBuckets";
    throw methodNotAllowed(method);
  }
  if (!key) return bucketOperation(method, has);
  const operation = objectOperation(method, has);
  if (request.hasCopySource && operation === "PutObject") return "CopyObject";
  if (request.hasCopySource && operation === "UploadPart") throw new S3Error("NotImplemented", "UploadPartCopy is not implemented by this server.");
  return operation;
}

function bucketOperation(method: string, has: (name: string) => boolean): OperationName {
  switch (method) {
    case "GET":
      if (has("location")) return "GetBucketLocation";
      if (has("acl")) return "GetBucketAcl";
      if (has("cors")) return "GetBucketCors";
      if (has("versioning")) return "GetBucketVersioning";
      if (has("lifecycle")) return "GetBucketLifecycleConfiguration";
      if (has("versions")) return "ListObjectVersions";
      if (has("uploads")) return "ListMultipartUploads";
      if (has("list-type")) return "ListObjectsV2";
      return "ListObjects";
    case "PUT":
      if (has("acl")) return "PutBucketAcl";
      if (has("cors")) return "PutBucketCors";
      if (has("versioning")) return "PutBucketVersioning";
      if (has("lifecycle")) return "PutBucketLifecycleConfiguration";
      return "CreateBucket";
    case "DELETE":
      if (has("cors")) return "DeleteBucketCors";
      if (has("lifecycle")) return "DeleteBucketLifecycle";
      return "DeleteBucket";
    case "HEAD":
      return "HeadBucket";
    case "POST":
      if (has("delete")) return "DeleteObjects";
      throw new S3Error("NotImplemented", "Browser-based POST uploads are not implemented by this server.");
    default:
      throw methodNotAllowed(method);
  }
}

function objectOperation(method: string, has: (name: string) => boolean): OperationName {
  switch (method) {
    case "GET":
      if (has("acl")) return "GetObjectAcl";
      if (has("uploadId")) return "ListParts";
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (has("acl")) return "PutObjectAcl";
      if (has("partNumber") && has("uploadId")) return "UploadPart";
      return "PutObject";
    case "DELETE":
      if (has("uploadId")) return "AbortMultipartUpload";
      return "DeleteObject";
    case "POST":
      if (has("uploads")) return "CreateMultipartUpload";
      if (has("uploadId")) return "CompleteMultipartUpload";
      throw methodNotAllowed(method);
    default:
      throw methodNotAllowed(method);
  }
}

const methodNotAllowed = (method: string) =>
  new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", { details: { Method: method } });
