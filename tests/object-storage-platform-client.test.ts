// The portal's S3 clients as configured by the environment (here: the test run's local S3 server), the way
// branding uploads and bucket provisioning will use them.
import { randomBytes } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { env } from "@/server/env";
import { ensureBucket } from "@/server/infra/object-storage/buckets";
import { platformS3Client, s3ClientWithCredentials } from "@/server/infra/object-storage/client";
import { objectStorageSettings } from "@/server/infra/object-storage/settings";
import { LocalS3AdminClient } from "@/server/infra/object-storage/local-s3-admin-client";
import { uniqueBucketName } from "./helpers/local-s3";

describe("the platform's S3 client", () => {
  it("stores and reads back an upload in the assets bucket", async () => {
    const key = `logos/${randomBytes(4).toString("hex")}.svg`;
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';
    await platformS3Client().send(new PutObjectCommand({ Bucket: env().LYCEUM_ASSETS_BUCKET, Key: key, Body: svg, ContentType: "image/svg+xml" }));
    const got = await platformS3Client().send(new GetObjectCommand({ Bucket: env().LYCEUM_ASSETS_BUCKET, Key: key }));
    expect([await got.Body!.transformToString(), got.ContentType]).toEqual([svg, "image/svg+xml"]);
  });

  it("hands an instance a client for its own key, which reaches its bucket only", async () => {
    const instanceBucket = uniqueBucketName("instance");
    expect(await ensureBucket(platformS3Client(), instanceBucket)).toBe("created");
    // In dev and tests the platform's key is the local server's root key, which may make scoped keys.
    const settings = objectStorageSettings();
    const admin = new LocalS3AdminClient({ endpoint: settings.endpoint!, region: settings.region, rootCredentials: settings.credentials! });
    const key = await admin.createAccessKey({ buckets: [instanceBucket], name: "instance test" });
    try {
      const instanceClient = s3ClientWithCredentials(key);
      await instanceClient.send(new PutObjectCommand({ Bucket: instanceBucket, Key: "tracking-logs/1.log", Body: "event" }));
      expect((await instanceClient.send(new ListObjectsV2Command({ Bucket: instanceBucket }))).KeyCount).toBe(1);
      const refused = await instanceClient.send(new ListObjectsV2Command({ Bucket: env().LYCEUM_ASSETS_BUCKET })).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(S3ServiceException);
      expect((refused as S3ServiceException).name).toBe("AccessDenied");
      instanceClient.destroy();
    } finally {
      await admin.deleteAccessKey(key.accessKeyId);
    }
  });
});
