// Multipart uploads, as the SDK's `Upload` helper drives them: create, upload parts (each with its CRC32),
// complete (parts checked and joined) or abort; plus ListParts and ListMultipartUploads.
import { uriEncode } from "@/server/infra/object-storage/sigv4";
import { S3Error } from "../errors";
import { MAX_OBJECT_BYTES } from "../payload/body";
import { assertValidKey } from "../storage/names";
import { MAX_PART_NUMBER, type CompletedPart } from "../storage/multipart-uploads";
import { element, list, text } from "../xml";
import { assertPrivateAclHeaders } from "./acl";
import { quoted, requestBody, xmlBody, type OperationHandler } from "./context";
import { objectHeadersFrom, storageClassFrom, userMetadataFrom } from "./object-headers";
import { checksumHeaders, requestedChecksumAlgorithm, writeStaged } from "./objects";

export const createMultipartUpload: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  assertValidKey(context.key);
  assertPrivateAclHeaders(context, "AccessControlListNotSupported");
  const checksumAlgorithm = requestedChecksumAlgorithm(context);
  const upload = context.server.uploads.create(
    context.bucket,
    context.key,
    { headers: objectHeadersFrom(context), metadata: userMetadataFrom(context), storageClass: storageClassFrom(context), checksumAlgorithm },
    context.now,
  );
  return {
    headers: checksumAlgorithm ? { "x-amz-checksum-algorithm": checksumAlgorithm, "x-amz-checksum-type": "COMPOSITE" } : {},
    xml: { root: "InitiateMultipartUploadResult", content: { Bucket: context.bucket, Key: context.key, UploadId: upload.uploadId } },
  };
};

export const uploadPart: OperationHandler = async (context) => {
  const { store, uploads } = context.server;
  const upload = uploads.get(context.bucket, context.key, context.param("uploadId")!);
  const partNumber = Number(context.param("partNumber"));
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new S3Error("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
      details: { ArgumentName: "partNumber", ArgumentValue: context.param("partNumber") ?? "" },
    });
  }
  const payload = requestBody(context, { computeChecksum: upload.checksumAlgorithm, maxBytes: MAX_OBJECT_BYTES });
  const staged = store.stageBlob(context.bucket);
  await writeStaged(payload.stream, staged, () => store.discard(staged));
  const summary = payload.summary();
  if (upload.checksumAlgorithm && summary.checksum && summary.checksum.algorithm !== upload.checksumAlgorithm) {
    store.discard(staged);
    throw new S3Error("InvalidRequest", `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${summary.checksum.algorithm.toLowerCase()}`);
  }
  // The upload may have been completed or aborted while this part was arriving.
  uploads.get(context.bucket, context.key, upload.uploadId);
  const part = await uploads.savePart(upload, partNumber, staged, summary, context.now);
  return { headers: { etag: quoted(part.etag), ...checksumHeaders(part.checksum) } };
};

export const completeMultipartUpload: OperationHandler = async (context) => {
  const { store, uploads } = context.server;
  const bucket = store.requireBucket(context.bucket);
  const upload = uploads.get(context.bucket, context.key, context.param("uploadId")!);
  const request = await xmlBody(context, "CompleteMultipartUpload");
  const checksumElement = upload.checksumAlgorithm ? `Checksum${upload.checksumAlgorithm}` : null;
  const listed = list(request.Part).map((node): CompletedPart => {
    const part = element(node);
    const partNumber = Number(part && text(part.PartNumber));
    const etag = part && text(part.ETag);
    if (!part || !Number.isInteger(partNumber) || etag === undefined) throw new S3Error("MalformedXML", "Every Part needs a PartNumber and an ETag");
    return { partNumber, etag, checksum: checksumElement ? text(part[checksumElement]) : undefined };
  });
  const staged = store.stageBlob(context.bucket);
  let assembled;
  try {
    assembled = await uploads.assemble(upload, listed, staged);
  } catch (error) {
    store.discard(staged);
    throw error;
  }
  uploads.get(context.bucket, context.key, upload.uploadId); // still there: not completed twice at once
  const version = store.addObject(
    context.bucket,
    context.key,
    staged,
    { ...upload.headers, metadata: upload.metadata, storageClass: upload.storageClass, ...assembled },
    context.now,
  );
  uploads.remove(upload);
  return {
    headers: { "x-amz-version-id": bucket.versioning ? version.versionId : undefined },
    xml: {
      root: "CompleteMultipartUploadResult",
      content: {
        Location: `http://${context.header("host") ?? "localhost"}/${context.bucket}/${uriEncode(context.key, true)}`,
        Bucket: context.bucket,
        Key: context.key,
        ETag: quoted(version.etag),
        ...(version.checksum ? { [`Checksum${version.checksum.algorithm}`]: version.checksum.value, ChecksumType: version.checksum.type } : {}),
      },
    },
  };
};

export const abortMultipartUpload: OperationHandler = (context) => {
  const { uploads } = context.server;
  context.server.store.requireBucket(context.bucket);
  uploads.remove(uploads.get(context.bucket, context.key, context.param("uploadId")!));
  return { status: 204 };
};

export const listParts: OperationHandler = (context) => {
  const upload = context.server.uploads.get(context.bucket, context.key, context.param("uploadId")!);
  const marker = Number(context.param("part-number-marker") ?? 0);
  const maxParts = Math.min(Number(context.param("max-parts") ?? 1000), 1000);
  const remaining = Object.values(upload.parts).filter((part) => part.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const page = remaining.slice(0, maxParts);
  const owner = { ID: context.server.owner.id, DisplayName: context.server.owner.displayName };
  return {
    xml: {
      root: "ListPartsResult",
      content: {
        Bucket: context.bucket,
        Key: context.key,
        UploadId: upload.uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.at(-1)?.partNumber,
        MaxParts: maxParts,
        IsTruncated: remaining.length > page.length,
        Initiator: owner,
        Owner: owner,
        StorageClass: upload.storageClass,
        ChecksumAlgorithm: upload.checksumAlgorithm ?? undefined,
        Part: page.map((part) => ({
          PartNumber: part.partNumber,
          LastModified: part.lastModified,
          ETag: quoted(part.etag),
          Size: part.size,
          ...(part.checksum ? { [`Checksum${part.checksum.algorithm}`]: part.checksum.value } : {}),
        })),
      },
    },
  };
};

export const listMultipartUploads: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  const prefix = context.param("prefix") ?? "";
  const maxUploads = Math.min(Number(context.param("max-uploads") ?? 1000), 1000);
  const matching = context.server.uploads.list(context.bucket).filter((upload) => upload.key.startsWith(prefix));
  const page = matching.slice(0, maxUploads);
  const owner = { ID: context.server.owner.id, DisplayName: context.server.owner.displayName };
  return {
    xml: {
      root: "ListMultipartUploadsResult",
      content: {
        Bucket: context.bucket,
        Prefix: prefix,
        MaxUploads: maxUploads,
        IsTruncated: matching.length > page.length,
        Upload: page.map((upload) => ({
          Key: upload.key,
          UploadId: upload.uploadId,
          Initiated: upload.initiated,
          StorageClass: upload.storageClass,
          Initiator: owner,
          Owner: owner,
          ChecksumAlgorithm: upload.checksumAlgorithm ?? undefined,
        })),
      },
    },
  };
};
