// Object operations: PutObject, GetObject (ranges, conditions), HeadObject, CopyObject.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { authorizeRead } from "../auth/policy";
import { S3Error } from "../errors";
import { checksumHeaderName, createChecksum, parseChecksumAlgorithm, type ChecksumAlgorithm } from "../payload/checksums";
import { assertValidKey } from "../storage/names";
import type { StagedBlob, StoredChecksum, StoredObject } from "../storage/object-store";
import { assertPrivateAclHeaders } from "./acl";
import { checkCopySourceConditions, checkReadConditions, checkWriteConditions, parseRange } from "./conditions";
import { quoted, requestBody, type OperationContext, type OperationHandler, type Reply } from "./context";
import { objectHeadersFrom, objectResponseHeaders, readableVersion, storageClassFrom, userMetadataFrom } from "./object-headers";

export const putObject: OperationHandler = async (context) => {
  const { store } = context.server;
  const bucket = store.requireBucket(context.bucket);
  assertValidKey(context.key);
  assertPrivateAclHeaders(context, "AccessControlListNotSupported");
  const headers = objectHeadersFrom(context);
  const metadata = userMetadataFrom(context);
  const storageClass = storageClassFrom(context);
  const conditions = { ifMatch: context.header("if-match"), ifNoneMatch: context.header("if-none-match") };
  checkWriteConditions(currentObject(context, context.bucket, context.key), context.key, conditions);

  const payload = requestBody(context, { computeChecksum: requestedChecksumAlgorithm(context) });
  const staged = store.stageBlob(context.bucket);
  await writeStaged(payload.stream, staged, () => store.discard(staged));
  const summary = payload.summary();
  // Checked again now that the body is in: another request may have written the key meanwhile.
  checkWriteConditions(currentObject(context, context.bucket, context.key), context.key, conditions);
  const checksum: StoredChecksum | null = summary.checksum ? { ...summary.checksum, type: "FULL_OBJECT" } : null;
  const version = store.addObject(context.bucket, context.key, staged, { ...headers, metadata, storageClass, size: summary.size, etag: summary.md5Hex, checksum }, context.now);
  return {
    headers: {
      etag: quoted(version.etag),
      "x-amz-version-id": bucket.versioning ? version.versionId : undefined,
      ...checksumHeaders(checksum),
    },
  };
};

export const getObject: OperationHandler = (context) => readObject(context, { hasBody: true });
export const headObject: OperationHandler = (context) => readObject(context, { hasBody: false });

async function readObject(context: OperationContext, options: { hasBody: boolean }): Promise<Reply> {
  if (context.param("partNumber") !== undefined) throw new S3Error("NotImplemented", "Reading one part of a multipart object (partNumber) is not implemented by this server.");
  const bucket = context.server.store.requireBucket(context.bucket);
  const object = readableVersion(context, context.bucket, context.key, context.param("versionId"));
  checkReadConditions(object, {
    ifMatch: context.header("if-match"),
    ifNoneMatch: context.header("if-none-match"),
    ifModifiedSince: context.header("if-modified-since"),
    ifUnmodifiedSince: context.header("if-unmodified-since"),
  });
  const range = parseRange(context.header("range"), object.size);
  const headers = objectResponseHeaders(context, object, { isVersioned: bucket.versioning !== null, isFullObject: range === null });
  const [start, end] = range ?? [0, object.size - 1];
  headers["content-length"] = String(Math.max(0, end - start + 1));
  if (range) headers["content-range"] = `bytes ${start}-${end}/${object.size}`;
  const status = range ? 206 : 200;
  if (!options.hasBody) return { status, headers };
  // Open before answering: a concurrent delete may have removed the bytes (the open handle keeps them readable).
  const file = await open(context.server.store.blobPath(context.bucket, object)).catch(() => {
    throw new S3Error("NoSuchKey", "The specified key does not exist.", { details: { Key: context.key } });
  });
  if (object.size === 0) {
    await file.close();
    return { status, headers, body: Buffer.alloc(0) };
  }
  return { status, headers, body: file.createReadStream({ start, end }) };
}

export const copyObject: OperationHandler = async (context) => {
  const { store } = context.server;
  const source = parseCopySource(context.header("x-amz-copy-source")!);
  authorizeRead(context.principal, source.bucket);
  const bucket = store.requireBucket(context.bucket);
  assertValidKey(context.key);
  assertPrivateAclHeaders(context, "AccessControlListNotSupported");
  const object = readableVersion(context, source.bucket, source.key, source.versionId);
  checkCopySourceConditions(object, {
    ifMatch: context.header("x-amz-copy-source-if-match"),
    ifNoneMatch: context.header("x-amz-copy-source-if-none-match"),
    ifModifiedSince: context.header("x-amz-copy-source-if-modified-since"),
    ifUnmodifiedSince: context.header("x-amz-copy-source-if-unmodified-since"),
  });
  const directive = context.header("x-amz-metadata-directive") ?? "COPY";
  if (directive !== "COPY" && directive !== "REPLACE") throw new S3Error("InvalidArgument", "Unknown metadata directive.");
  const isSameObject = source.bucket === context.bucket && source.key === context.key;
  if (isSameObject && directive === "COPY" && !context.header("x-amz-storage-class")) {
    throw new S3Error("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const fields = directive === "REPLACE"
    ? { ...objectHeadersFrom(context), metadata: userMetadataFrom(context) }
    : { contentType: object.contentType, contentEncoding: object.contentEncoding, contentDisposition: object.contentDisposition, contentLanguage: object.contentLanguage, cacheControl: object.cacheControl, expires: object.expires, metadata: object.metadata };
  const storageClass = context.header("x-amz-storage-class") ? storageClassFrom(context) : object.storageClass;
  // A copy is a new single-part object: S3 gives it the MD5 of its bytes, and a full-object checksum.
  const algorithm = requestedChecksumAlgorithm(context) ?? (object.checksum?.type === "FULL_OBJECT" ? object.checksum.algorithm : null);
  const staged = store.stageBlob(context.bucket);
  const digest = await copyBlob(store.blobPath(source.bucket, object), staged, algorithm).catch((error: unknown) => {
    store.discard(staged);
    throw error;
  });
  const checksum: StoredChecksum | null = algorithm ? { algorithm, value: digest.checksum!, type: "FULL_OBJECT" } : null;
  const version = store.addObject(context.bucket, context.key, staged, { ...fields, storageClass, size: object.size, etag: digest.md5Hex, checksum }, context.now);
  return {
    headers: {
      "x-amz-version-id": bucket.versioning ? version.versionId : undefined,
      "x-amz-copy-source-version-id": store.requireBucket(source.bucket).versioning ? object.versionId : undefined,
    },
    xml: {
      root: "CopyObjectResult",
      content: {
        ETag: quoted(version.etag),
        LastModified: version.lastModified,
        ...(checksum ? { ChecksumType: checksum.type, [`Checksum${checksum.algorithm}`]: checksum.value } : {}),
      },
    },
  };
};

/** `x-amz-copy-source: /bucket/key?versionId=…` (URL-encoded, leading slash optional). */
function parseCopySource(header: string): { bucket: string; key: string; versionId?: string } {
  const [path = "", query = ""] = header.split("?");
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ""));
  } catch {
    throw new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
  const versionId = new URLSearchParams(query).get("versionId") ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

async function copyBlob(from: string, staged: StagedBlob, algorithm: ChecksumAlgorithm | null) {
  const md5 = createHash("md5");
  const checksum = algorithm ? createChecksum(algorithm) : null;
  const digest = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      checksum?.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(createReadStream(from), digest, createWriteStream(staged.path));
  return { md5Hex: md5.digest("hex"), checksum: checksum?.digestBase64() ?? null };
}

/** Writes a request body to a staged blob; on any failure (bad signature, checksum, aborted upload) drops it. */
export async function writeStaged(stream: NodeJS.ReadableStream, staged: StagedBlob, discard: () => void) {
  try {
    await pipeline(stream, createWriteStream(staged.path));
  } catch (error) {
    discard();
    throw error;
  }
}

/** The checksum algorithm a client asked the server to compute (x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm). */
export function requestedChecksumAlgorithm(context: OperationContext): ChecksumAlgorithm | null {
  const named = context.header("x-amz-checksum-algorithm") ?? context.header("x-amz-sdk-checksum-algorithm");
  if (named === undefined) return null;
  const algorithm = parseChecksumAlgorithm(named);
  if (!algorithm) throw new S3Error("InvalidRequest", `Checksum algorithm ${named} is not supported`);
  return algorithm;
}

export function checksumHeaders(checksum: StoredChecksum | { algorithm: ChecksumAlgorithm; value: string } | null): Record<string, string> {
  if (!checksum) return {};
  return {
    [checksumHeaderName(checksum.algorithm)]: checksum.value,
    ...("type" in checksum ? { "x-amz-checksum-type": checksum.type } : {}),
  };
}

function currentObject(context: OperationContext, bucket: string, key: string): StoredObject | null {
  const latest = context.server.store.latest(bucket, key);
  return latest && !latest.isDeleteMarker ? latest : null;
}
