// Branding images in the object store: one object per content (the key ends in its SHA-256), so a deployed
// site keeps showing the image it was configured with while the owner uploads a new draft one.
import { createHash } from "node:crypto";
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from "@aws-sdk/client-s3";
import { env } from "@/server/env";
import { platformS3Client } from "@/server/infra/object-storage/client";
import type { AssetRef, ImageSlot } from "./branding";
import type { CheckedImage } from "./image-checks";

/** Content-addressed: a deployed configuration names its images by SHA-256, and finds them by it. */
export function brandingImageKey(instanceId: string, slot: ImageSlot, sha256: string) {
  return `instances/${instanceId}/branding/${slot}-${sha256}`;
}

export async function storeBrandingImage(instanceId: string, slot: ImageSlot, bytes: Buffer, image: CheckedImage): Promise<AssetRef> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const key = brandingImageKey(instanceId, slot, sha256);
  await platformS3Client().send(
    new PutObjectCommand({ Bucket: env().LYCEUM_ASSETS_BUCKET, Key: key, Body: bytes, ContentType: image.contentType, CacheControl: "public, max-age=31536000, immutable" }),
  );
  return { key, contentType: image.contentType, bytes: bytes.length, width: image.width, height: image.height, sha256 };
}

/** The stored bytes of an image, or null when the object store has no such object. */
export async function readBrandingImage(asset: Pick<AssetRef, "key">): Promise<{ body: Uint8Array; contentType: string } | null> {
  try {
    const object = await platformS3Client().send(new GetObjectCommand({ Bucket: env().LYCEUM_ASSETS_BUCKET, Key: asset.key }));
    return { body: await object.Body!.transformToByteArray(), contentType: object.ContentType ?? "application/octet-stream" };
  } catch (error) {
    if (error instanceof NoSuchKey) return null;
    throw error;
  }
}
