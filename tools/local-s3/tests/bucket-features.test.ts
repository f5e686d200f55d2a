// Bucket features the platform relies on for each instance's bucket, on the local S3 server through the SDK:
// CORS answered for real, versions and delete markers, lifecycle rules that really expire objects.
import {
  CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteBucketCorsCommand, DeleteObjectCommand, GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutBucketCorsCommand, PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand, PutObjectCommand, S3ServiceException, type LifecycleRule, type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { LocalS3AdminClient } from "@/server/infra/object-storage/local-s3-admin-client";
import { startLocalS3, testClock, uniqueBucketName, type TestS3 } from "@/tests/helpers/local-s3";
import { errorCodeIn, rawRequest } from "@/tests/helpers/raw-http";
import { eventually } from "@/tests/helpers/waiting";

const DAY_MS = 86_400_000;
let s3: TestS3;

beforeAll(async () => {
  s3 = await startLocalS3();
});

afterAll(async () => {
  await s3?.stop();
});

async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof S3ServiceException) return error.name;
    throw error;
  }
  throw new Error("the call succeeded");
}

async function newBucket(client: S3Client = s3.client) {
  const bucket = uniqueBucketName();
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

const keysIn = async (client: S3Client, bucket: string) => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);

describe("CORS", () => {
  let bucket: string;
  const rules = [
    {
      AllowedOrigins: ["http://academy.localhost:3000", "https://*.academy.example"],
      AllowedMethods: ["GET", "PUT", "HEAD"],
      AllowedHeaders: ["content-type", "x-amz-*"],
      ExposeHeaders: ["ETag"],
      MaxAgeSeconds: 3000,
    },
  ];
  const preflight = (origin: string, method: string, requestHeaders?: string) =>
    rawRequest(`${s3.endpoint}/${bucket}/logo.png`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": method, ...(requestHeaders ? { "access-control-request-headers": requestHeaders } : {}) },
    });

  beforeAll(async () => {
    bucket = await newBucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "logo.png", Body: "png bytes" }));
    await s3.client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
  });

  it("stores the rules and gives them back", async () => {
    const stored = await s3.client.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(stored.CORSRules).toEqual(rules);
  });

  it("answers a preflight from an allowed origin, without credentials", async () => {
    const response = await preflight("http://academy.localhost:3000", "PUT", "Content-Type");
    expect(response.status).toBe(200);
    expect(response.headers["access-control-allow-origin"]).toBe("http://academy.localhost:3000");
    expect(response.headers["access-control-allow-methods"]).toBe("GET, PUT, HEAD");
    expect(response.headers["access-control-allow-headers"]).toBe("Content-Type");
    expect(response.headers["access-control-max-age"]).toBe("3000");
    const wildcard = await preflight("https://studio.academy.example", "GET");
    expect(wildcard.headers["access-control-allow-origin"]).toBe("https://studio.academy.example");
  });

  it("refuses a preflight from another origin, for another method or with another header", async () => {
    for (const response of [
      await preflight("http://evil.localhost:3000", "GET"),
      await preflight("http://academy.localhost:3000", "DELETE"),
      await preflight("http://academy.localhost:3000", "PUT", "x-custom-header"),
    ]) {
      expect([response.status, errorCodeIn(response.body)]).toEqual([403, "AccessForbidden"]);
      expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("adds Access-Control-Allow-Origin to actual requests from allowed origins only", async () => {
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: bucket, Key: "logo.png" }), { expiresIn: 60 });
    const allowed = await rawRequest(url, { headers: { origin: "http://academy.localhost:3000" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe("http://academy.localhost:3000");
    expect(allowed.headers["access-control-expose-headers"]).toBe("ETag");
    const other = await rawRequest(url, { headers: { origin: "http://evil.localhost:3000" } });
    expect(other.status).toBe(200);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("stops answering preflights once the rules are deleted", async () => {
    const scratch = await newBucket();
    await s3.client.send(new PutBucketCorsCommand({ Bucket: scratch, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }] } }));
    const open = await rawRequest(`${s3.endpoint}/${scratch}/x`, { method: "OPTIONS", headers: { origin: "http://any.localhost", "access-control-request-method": "GET" } });
    expect(open.headers["access-control-allow-origin"]).toBe("*");
    await s3.client.send(new DeleteBucketCorsCommand({ Bucket: scratch }));
    expect(await errorCode(s3.client.send(new GetBucketCorsCommand({ Bucket: scratch })))).toBe("NoSuchCORSConfiguration");
    const closed = await rawRequest(`${s3.endpoint}/${scratch}/x`, { method: "OPTIONS", headers: { origin: "http://any.localhost", "access-control-request-method": "GET" } });
    expect(closed.status).toBe(403);
  });

  it("refuses rules with a method S3 does not know", async () => {
    const scratch = await newBucket();
    expect(
      await errorCode(s3.client.send(new PutBucketCorsCommand({ Bucket: scratch, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] }] } }))),
    ).toBe("InvalidRequest");
  });
});

describe("versioning", () => {
  it("keeps every version, hides a deleted object behind a delete marker, and can bring it back", async () => {
    const bucket = await newBucket();
    expect((await s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBeUndefined();
    await s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    expect((await s3.client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");

    const first = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "theme.css", Body: "first" }));
    const second = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "theme.css", Body: "second" }));
    expect(first.VersionId).toBeTruthy();
    expect(second.VersionId).toBeTruthy();
    expect(first.VersionId).not.toBe(second.VersionId);
    expect(first.VersionId).not.toBe("null");

    const latest = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "theme.css" }));
    expect([await latest.Body!.transformToString(), latest.VersionId]).toEqual(["second", second.VersionId]);
    const old = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "theme.css", VersionId: first.VersionId }));
    expect(await old.Body!.transformToString()).toBe("first");

    const deleted = await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "theme.css" }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "theme.css" })))).toBe("NoSuchKey");
    expect(await errorCode(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "theme.css" })))).toBe("NotFound");
    expect(await keysIn(s3.client, bucket)).toEqual([]);

    const versions = await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([[second.VersionId, false], [first.VersionId, false]]);
    expect(versions.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([["theme.css", deleted.VersionId, true]]);

    // Deleting the marker itself restores the newest version.
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "theme.css", VersionId: deleted.VersionId }));
    expect(await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "theme.css" }))).Body!.transformToString()).toBe("second");
  });

  it("refuses to delete a bucket while non-current versions or delete markers remain", async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    const put = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "log.txt", Body: "x" }));
    const marker = await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "log.txt" }));
    expect(await keysIn(s3.client, bucket)).toEqual([]);
    expect(await errorCode(s3.client.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe("BucketNotEmpty");
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "log.txt", VersionId: put.VersionId }));
    expect(await errorCode(s3.client.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe("BucketNotEmpty");
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "log.txt", VersionId: marker.VersionId }));
    await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  it("keeps a single null version per key while suspended", async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    const kept = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "versioned" }));
    await s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "null one" }));
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "null two" }));
    const versions = await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(["null", kept.VersionId]);
    expect(await (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }))).Body!.transformToString()).toBe("null two");
  });

  it("refuses a versioning status S3 does not have", async () => {
    const bucket = await newBucket();
    const bogus = { Status: "Sometimes" } as unknown as { Status: "Enabled" };
    expect(await errorCode(s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: bogus })))).toBe("MalformedXML");
  });
});

describe("lifecycle", () => {
  const expireTrackingLogs: LifecycleRule = { ID: "expire-tracking-logs", Filter: { Prefix: "tracking-logs/" }, Status: "Enabled", Expiration: { Days: 30 } };

  /** A server of its own on a test clock, with one bucket under these rules (versioned when asked); stopped after the test. */
  async function bucketUnderRules(rules: LifecycleRule[], options: { isVersioned?: boolean; lifecycleIntervalMs?: number } = {}) {
    const clock = testClock();
    const server = await startLocalS3({ clock, lifecycleIntervalMs: options.lifecycleIntervalMs });
    onTestFinished(() => server.stop());
    const bucket = await newBucket(server.client);
    if (options.isVersioned) {
      await server.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    }
    await server.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
    return { clock, server, bucket };
  }

  it("stores and returns the rules, and refuses invalid ones", async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [expireTrackingLogs] } }));
    const stored = await s3.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(stored.Rules).toEqual([expireTrackingLogs]);

    const put = (rule: LifecycleRule) => s3.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [rule] } }));
    expect(await errorCode(put({ ...expireTrackingLogs, Expiration: { Days: 0 } }))).toBe("InvalidArgument");
    expect(await errorCode(put({ ID: "nothing", Filter: { Prefix: "x/" }, Status: "Enabled" }))).toBe("InvalidRequest");
    expect(await errorCode(put({ ...expireTrackingLogs, Transitions: [{ Days: 30, StorageClass: "GLACIER" }] }))).toBe("NotImplemented");
    expect(await errorCode(s3.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: await newBucket() })))).toBe("NoSuchLifecycleConfiguration");
  });

  it("expires the matching objects after N days, and only those", async () => {
    const { clock, server, bucket } = await bucketUnderRules([expireTrackingLogs]);
    const keys = ["courses/intro.json", "tracking-logs/2026-01-01.log", "tracking-logs/lms/2026-01-02.log", "tracking-logs-archive/keep.log"];
    for (const key of keys) await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));

    expect(server.server.applyLifecycle()).toEqual([]);
    clock.advance(29 * DAY_MS);
    expect(server.server.applyLifecycle()).toEqual([]);
    expect(await keysIn(server.client, bucket)).toEqual(keys.toSorted());

    clock.advance(2 * DAY_MS);
    const actions = server.server.applyLifecycle();
    expect(actions.map((action) => [action.key, action.action, action.rule])).toEqual([
      ["tracking-logs/2026-01-01.log", "deleted-current-version", "expire-tracking-logs"],
      ["tracking-logs/lms/2026-01-02.log", "deleted-current-version", "expire-tracking-logs"],
    ]);
    expect(await keysIn(server.client, bucket)).toEqual(["courses/intro.json", "tracking-logs-archive/keep.log"]);
  });

  it("in a versioned bucket, hides expired objects behind a delete marker, then removes old versions", async () => {
    const { clock, server, bucket } = await bucketUnderRules(
      [{ ...expireTrackingLogs, Expiration: { Days: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }],
      { isVersioned: true },
    );
    const put = await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: "tracking-logs/a.log", Body: "a" }));

    clock.advance(2 * DAY_MS);
    expect(server.server.applyLifecycle().map((action) => action.action)).toEqual(["added-delete-marker"]);
    expect(await keysIn(server.client, bucket)).toEqual([]);
    const afterExpiry = await server.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(afterExpiry.Versions?.map((v) => v.VersionId)).toEqual([put.VersionId]);

    clock.advance(2 * DAY_MS);
    expect(server.server.applyLifecycle().map((action) => [action.action, action.versionId])).toEqual([["deleted-noncurrent-version", put.VersionId]]);
    const afterNoncurrent = await server.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(afterNoncurrent.Versions ?? []).toEqual([]);
    expect(afterNoncurrent.DeleteMarkers).toHaveLength(1);
  });

  it("aborts stale multipart uploads, removes lone delete markers and honours size filters", async () => {
    const { clock, server, bucket } = await bucketUnderRules(
      [
        { ID: "uploads", Filter: { Prefix: "" }, Status: "Enabled", AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
        { ID: "markers", Filter: { Prefix: "gone/" }, Status: "Enabled", Expiration: { ExpiredObjectDeleteMarker: true } },
        { ID: "big-exports", Filter: { And: { Prefix: "exports/", ObjectSizeGreaterThan: 10 } }, Status: "Enabled", Expiration: { Days: 1 } },
      ],
      { isVersioned: true },
    );
    const { UploadId } = await server.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "video.mp4" }));
    const put = await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: "gone/file.txt", Body: "x" }));
    await server.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone/file.txt", VersionId: put.VersionId }));
    const marker = await server.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone/file.txt" }));
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: "exports/small.csv", Body: "a,b" }));
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: "exports/big.csv", Body: "a,b,c,d,e,f,g,h" }));

    clock.advance(8 * DAY_MS);
    const actions = server.server.applyLifecycle().map((action) => [action.rule, action.action, action.key]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ["uploads", "aborted-multipart-upload", "video.mp4"],
        ["markers", "removed-expired-delete-marker", "gone/file.txt"],
        ["big-exports", "added-delete-marker", "exports/big.csv"],
      ]),
    );
    expect(actions).toHaveLength(3);
    expect((await server.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
    const versions = await server.client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "gone/" }));
    expect([versions.Versions ?? [], versions.DeleteMarkers ?? []]).toEqual([[], []]);
    expect(marker.DeleteMarker).toBe(true);
    expect(await keysIn(server.client, bucket)).toEqual(["exports/small.csv"]);
    expect(UploadId).toBeTruthy();
  });

  it("runs by itself on a timer, and on demand through the admin API", async () => {
    const { clock, server, bucket } = await bucketUnderRules([expireTrackingLogs], { lifecycleIntervalMs: 100 });
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: "tracking-logs/by-timer.log", Body: "x" }));
    clock.advance(31 * DAY_MS);
    await eventually(async () => ((await keysIn(server.client, bucket)).length === 0 ? true : undefined), 10_000, "the timer's lifecycle run");

    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: "tracking-logs/on-demand.log", Body: "x" }));
    clock.advance(31 * DAY_MS);
    const admin = new LocalS3AdminClient({ endpoint: server.endpoint, region: "us-east-1", rootCredentials: server.rootCredentials, clock: clock.now });
    // The timer may get there first; either way the object goes.
    const actions = await admin.runLifecycle();
    expect(actions.every((action) => action.key === "tracking-logs/on-demand.log")).toBe(true);
    expect(await keysIn(server.client, bucket)).toEqual([]);
  });
});

describe("bucket quotas", () => {
  it("refuse a write past the quota with QuotaExceeded, count every version, and lift when set to null", async () => {
    const admin = new LocalS3AdminClient({ endpoint: s3.endpoint, region: "us-east-1", rootCredentials: s3.rootCredentials });
    const bucket = await newBucket();
    await s3.client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "a", Body: Buffer.alloc(600) }));
    expect(await admin.setBucketQuota(bucket, 1000)).toEqual({ bucket, quotaBytes: 1000, usedBytes: 600 });
    // A second version of the same key counts beside the first.
    expect(await errorCode(s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "a", Body: Buffer.alloc(600) })))).toBe("QuotaExceeded");
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "b", Body: Buffer.alloc(400) }));
    expect(await errorCode(s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "c", Body: Buffer.alloc(1) })))).toBe("QuotaExceeded");
    // Nothing of a refused write is kept.
    expect((await s3.client.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions?.map((version) => version.Key)).toEqual(["a", "b"]);
    expect(await admin.setBucketQuota(bucket, null)).toEqual({ bucket, quotaBytes: null, usedBytes: 1000 });
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "c", Body: Buffer.alloc(1) }));
    await expect(admin.setBucketQuota("no-such-bucket-here", 1)).rejects.toMatchObject({ status: 404, code: "NoSuchBucket" });
  });
});
