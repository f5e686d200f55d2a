// An instance bucket's current objects, read and written with the platform's S3 client (the instance's own key
// is scoped to its bucket; the platform's reaches both it and the backup bucket).
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";

type CurrentObject = { objectKey: string; versionId: string | null; contentType: string | null };

/** The latest version of every key that is not deleted (older versions and delete markers are history, not state). */
export async function listCurrentObjects(client: S3Client, bucket: string, signal?: AbortSignal): Promise<CurrentObject[]> {
  const found: CurrentObject[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }), { abortSignal: signal });
    for (const version of page.Versions ?? []) {
      if (version.IsLatest && version.Key) found.push({ objectKey: version.Key, versionId: version.VersionId ?? null, contentType: null });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return found.sort((a, b) => a.objectKey.localeCompare(b.objectKey));
}

export async function readObject(client: S3Client, bucket: string, object: CurrentObject, signal?: AbortSignal) {
  const got = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: object.objectKey, VersionId: object.versionId && object.versionId !== "null" ? object.versionId : undefined }),
    { abortSignal: signal },
  );
  return { body: got.Body as Readable, contentType: got.ContentType ?? null };
}

export async function writeObject(client: S3Client, bucket: string, objectKey: string, body: Buffer, contentType: string | null, signal?: AbortSignal) {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: body, ContentType: contentType ?? undefined }), { abortSignal: signal });
}
