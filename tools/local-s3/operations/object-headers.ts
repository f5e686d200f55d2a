// The headers an object keeps from its upload (Content-Type, user metadata, …) and gives back on GET/HEAD,
// and the version checks shared by the object operations.
import { S3Error } from "../errors";
import { checksumHeaderName } from "../payload/checksums";
import type { ObjectHeaders, StoredObject } from "../storage/object-store";
import { httpDate, quoted, type OperationContext } from "./context";

const STORAGE_CLASSES = [
  "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR",
];
const MAX_USER_METADATA_BYTES = 2048;

export function objectHeadersFrom(context: OperationContext): ObjectHeaders {
  // aws-chunked describes this request's framing, not the object.
  const encoding = context.header("content-encoding")?.split(",").map((v) => v.trim()).filter((v) => v && v !== "aws-chunked").join(",");
  return {
    contentType: context.header("content-type") ?? "binary/octet-stream",
    contentEncoding: encoding || undefined,
    contentDisposition: context.header("content-disposition"),
    contentLanguage: context.header("content-language"),
    cacheControl: context.header("cache-control"),
    expires: context.header("expires"),
  };
}

export function userMetadataFrom(context: OperationContext): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, values] of context.headers) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const key = name.slice("x-amz-meta-".length);
    metadata[key] = values.join(",");
    bytes += Buffer.byteLength(key) + Buffer.byteLength(metadata[key]);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", {
      details: { Size: String(bytes), MaxSizeAllowed: String(MAX_USER_METADATA_BYTES) },
    });
  }
  return metadata;
}

export function storageClassFrom(context: OperationContext): string {
  const storageClass = context.header("x-amz-storage-class") ?? "STANDARD";
  if (!STORAGE_CLASSES.includes(storageClass)) throw new S3Error("InvalidStorageClass", "The storage class you specified is not valid");
  return storageClass;
}

/** Response headers describing a stored object (GET, HEAD, and the response-* overrides S3 allows on GET). */
export function objectResponseHeaders(context: OperationContext, object: StoredObject, options: { isVersioned: boolean; isFullObject: boolean }) {
  const override = (name: string) => context.param(`response-${name}`);
  const headers: Record<string, string | undefined> = {
    "content-type": override("content-type") ?? object.contentType,
    "content-encoding": override("content-encoding") ?? object.contentEncoding,
    "content-disposition": override("content-disposition") ?? object.contentDisposition,
    "content-language": override("content-language") ?? object.contentLanguage,
    "cache-control": override("cache-control") ?? object.cacheControl,
    expires: override("expires") ?? object.expires,
    etag: quoted(object.etag),
    "last-modified": httpDate(object.lastModified),
    "accept-ranges": "bytes",
    "x-amz-version-id": options.isVersioned ? object.versionId : undefined,
    "x-amz-storage-class": object.storageClass === "STANDARD" ? undefined : object.storageClass,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  // With x-amz-checksum-mode: ENABLED (the SDK sends it) S3 returns the stored checksum of a whole-object read.
  if (object.checksum && options.isFullObject && context.header("x-amz-checksum-mode") === "ENABLED") {
    headers[checksumHeaderName(object.checksum.algorithm)] = object.checksum.value;
    headers["x-amz-checksum-type"] = object.checksum.type;
  }
  return headers;
}

export function assertValidVersionId(versionId: string) {
  if (versionId !== "null" && !/^[A-Za-z0-9._-]{1,128}$/.test(versionId)) {
    throw new S3Error("InvalidArgument", "Invalid version id specified", { details: { ArgumentName: "versionId", ArgumentValue: versionId } });
  }
}

/**
 * The object a GET/HEAD/copy reads: the given version, or the newest one. A delete marker answers like S3:
 * 404 NoSuchKey for the newest, 405 MethodNotAllowed when asked for by version id.
 */
export function readableVersion(context: OperationContext, bucket: string, key: string, versionId: string | undefined): StoredObject {
  const store = context.server.store;
  const isVersioned = store.requireBucket(bucket).versioning !== null;
  if (versionId === undefined) {
    const latest = store.latest(bucket, key);
    if (!latest) throw new S3Error("NoSuchKey", "The specified key does not exist.", { details: { Key: key } });
    if (latest.isDeleteMarker) {
      throw new S3Error("NoSuchKey", "The specified key does not exist.", {
        details: { Key: key },
        headers: { "x-amz-delete-marker": "true", ...(isVersioned ? { "x-amz-version-id": latest.versionId } : {}) },
      });
    }
    return latest;
  }
  assertValidVersionId(versionId);
  const version = store.versions(bucket, key).find((v) => v.versionId === versionId);
  if (!version) throw new S3Error("NoSuchVersion", "The specified version does not exist.", { details: { Key: key, VersionId: versionId } });
  if (version.isDeleteMarker) {
    throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", {
      details: { Method: context.method, ResourceType: "DeleteMarker" },
      headers: { "x-amz-delete-marker": "true", "x-amz-version-id": version.versionId, "last-modified": httpDate(version.lastModified), allow: "DELETE" },
    });
  }
  return version;
}
