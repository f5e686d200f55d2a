// DeleteObject and DeleteObjects (multi-delete), with S3's versioning semantics: an unversioned bucket loses
// the object; a versioned one gets a delete marker, unless a version id is named, which deletes that version.
import { S3Error } from "../errors";
import { element, list, text } from "../xml";
import { xmlBody, type OperationContext, type OperationHandler } from "./context";
import { assertValidVersionId } from "./object-headers";

type DeleteOutcome = { versionId?: string; isDeleteMarker: boolean; deleteMarkerVersionId?: string };

function deleteOne(context: OperationContext, key: string, versionId: string | undefined): DeleteOutcome {
  const { store } = context.server;
  const { versioning } = store.requireBucket(context.bucket);
  if (versionId !== undefined) {
    assertValidVersionId(versionId);
    const removed = store.removeVersion(context.bucket, key, versionId);
    return { versionId, isDeleteMarker: removed?.isDeleteMarker ?? false, deleteMarkerVersionId: removed?.isDeleteMarker ? versionId : undefined };
  }
  if (versioning === null) {
    store.removeVersion(context.bucket, key, "null");
    return { isDeleteMarker: false };
  }
  const marker = store.addDeleteMarker(context.bucket, key, context.now);
  return { versionId: marker.versionId, isDeleteMarker: true, deleteMarkerVersionId: marker.versionId };
}

export const deleteObject: OperationHandler = (context) => {
  const outcome = deleteOne(context, context.key, context.param("versionId"));
  return {
    status: 204,
    headers: {
      "x-amz-version-id": outcome.isDeleteMarker ? outcome.deleteMarkerVersionId : outcome.versionId,
      "x-amz-delete-marker": outcome.isDeleteMarker ? "true" : undefined,
    },
  };
};

export const deleteObjects: OperationHandler = async (context) => {
  context.server.store.requireBucket(context.bucket);
  const request = await xmlBody(context, "Delete", { isChecksumRequired: true });
  const isQuiet = text(request.Quiet) === "true";
  const objects = list(request.Object).map((node) => {
    const object = element(node);
    const key = object ? text(object.Key) : undefined;
    if (!object || key === undefined) throw new S3Error("MalformedXML", "Every Object in a Delete request needs a Key");
    return { key, versionId: text(object.VersionId) };
  });
  if (objects.length === 0) throw new S3Error("MalformedXML", "A Delete request needs at least one Object");
  if (objects.length > 1000) throw new S3Error("MalformedXML", "A Delete request may name at most 1000 objects");

  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const { key, versionId } of objects) {
    try {
      const outcome = deleteOne(context, key, versionId);
      if (isQuiet) continue;
      deleted.push({
        Key: key,
        VersionId: versionId,
        DeleteMarker: outcome.isDeleteMarker ? true : undefined,
        DeleteMarkerVersionId: outcome.deleteMarkerVersionId,
      });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      errors.push({ Key: key, VersionId: versionId, Code: error.code, Message: error.message });
    }
  }
  return { xml: { root: "DeleteResult", content: { Deleted: deleted, Error: errors } } };
};
