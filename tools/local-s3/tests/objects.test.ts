// The local S3 server through the real @aws-sdk/client-s3: objects, listings, multipart uploads, buckets, and
// data that outlives a restart.
import { createHash, randomBytes } from "node:crypto";
import {
  AbortMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand,
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand,
  ListMultipartUploadsCommand, ListObjectsV2Command, PutBucketAclCommand, GetBucketAclCommand, PutObjectCommand,
  paginateListObjectsV2, S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBucket } from "@/server/infra/object-storage/buckets";
import { startLocalS3, uniqueBucketName, type TestS3 } from "@/tests/helpers/local-s3";

let s3: TestS3;

beforeAll(async () => {
  s3 = await startLocalS3();
});

afterAll(async () => {
  await s3?.stop();
});

async function newBucket() {
  const bucket = uniqueBucketName();
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** The S3 error code a call fails with. */
async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof S3ServiceException) return error.name;
    throw error;
  }
  throw new Error("the call succeeded");
}

const bytesOf = async (response: { Body?: { transformToByteArray(): Promise<Uint8Array> } }) => Buffer.from(await response.Body!.transformToByteArray());
const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

describe("objects", () => {
  it("round-trips bytes, content type, headers and user metadata", async () => {
    const bucket = await newBucket();
    const key = "logos/école d'été+1 & co?.png";
    const body = randomBytes(4096);
    const put = await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: "image/png",
        CacheControl: "max-age=60",
        ContentDisposition: 'inline; filename="logo.png"',
        Metadata: { Instance: "academy", "uploaded-by": "client-42" },
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);

    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await bytesOf(got)).toEqual(body);
    expect(got.ContentType).toBe("image/png");
    expect(got.ContentLength).toBe(4096);
    expect(got.CacheControl).toBe("max-age=60");
    expect(got.ContentDisposition).toBe('inline; filename="logo.png"');
    expect(got.ETag).toBe(put.ETag);
    expect(got.Metadata).toEqual({ instance: "academy", "uploaded-by": "client-42" });
    expect(got.LastModified).toBeInstanceOf(Date);

    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(4096);
    expect(head.Metadata).toEqual(got.Metadata);
  });

  it("stores a streamed body of unknown framing (aws-chunked with a CRC32 trailer) intact", async () => {
    const bucket = await newBucket();
    const parts = [randomBytes(70_000), randomBytes(5), randomBytes(100_000)];
    const whole = Buffer.concat(parts);
    // A Readable body makes the SDK send STREAMING-UNSIGNED-PAYLOAD-TRAILER with the checksum as a trailer.
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "stream.bin", Body: Readable.from(parts), ContentLength: whole.length }));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "stream.bin" }));
    expect(md5(await bytesOf(got))).toBe(md5(whole));
    expect(got.ChecksumCRC32).toBeDefined();
  });

  it("serves byte ranges, and refuses one beyond the end", async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "abc.txt", Body: "abcdefghijklmnopqrstuvwxyz" }));
    const middle = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "abc.txt", Range: "bytes=2-5" }));
    expect((await bytesOf(middle)).toString()).toBe("cdef");
    expect(middle.ContentRange).toBe("bytes 2-5/26");
    expect(middle.$metadata.httpStatusCode).toBe(206);
    const tail = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "abc.txt", Range: "bytes=-3" }));
    expect((await bytesOf(tail)).toString()).toBe("xyz");
    const open = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "abc.txt", Range: "bytes=24-" }));
    expect((await bytesOf(open)).toString()).toBe("yz");
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "abc.txt", Range: "bytes=26-30" })))).toBe("InvalidRange");
  });

  it("answers conditional reads and writes", async () => {
    const bucket = await newBucket();
    const { ETag } = await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "v1" }));
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "doc", IfMatch: '"0000"' })))).toBe("PreconditionFailed");
    const notModified = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "doc", IfNoneMatch: ETag })).catch((error: S3ServiceException) => error);
    expect((notModified as S3ServiceException).$metadata.httpStatusCode).toBe(304);
    // If-None-Match: * writes only when the key is free.
    expect(await errorCode(s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "v2", IfNoneMatch: "*" })))).toBe("PreconditionFailed");
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "new-doc", Body: "first", IfNoneMatch: "*" }));
  });

  it("reports a missing key, a missing bucket and a body that does not match its Content-MD5", async () => {
    const bucket = await newBucket();
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "nothing-here" })))).toBe("NoSuchKey");
    expect(await errorCode(s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "nothing-here" })))).toBe("NotFound");
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: uniqueBucketName("absent"), Key: "k" })))).toBe("NoSuchBucket");
    const wrongMd5 = createHash("md5").update("something else").digest("base64");
    expect(await errorCode(s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "the body", ContentMD5: wrongMd5 })))).toBe("BadDigest");
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" })))).toBe("NoSuchKey");
  });

  it("copies an object, keeping or replacing its metadata", async () => {
    const bucket = await newBucket();
    const other = await newBucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "source", Body: "copy me", ContentType: "text/plain", Metadata: { a: "1" } }));
    await s3.client.send(new CopyObjectCommand({ Bucket: other, Key: "kept", CopySource: `${bucket}/source` }));
    await s3.client.send(new CopyObjectCommand({ Bucket: other, Key: "replaced", CopySource: `${bucket}/source`, MetadataDirective: "REPLACE", ContentType: "text/markdown", Metadata: { b: "2" } }));
    const kept = await s3.client.send(new GetObjectCommand({ Bucket: other, Key: "kept" }));
    expect((await bytesOf(kept)).toString()).toBe("copy me");
    expect([kept.ContentType, kept.Metadata]).toEqual(["text/plain", { a: "1" }]);
    const replaced = await s3.client.send(new HeadObjectCommand({ Bucket: other, Key: "replaced" }));
    expect([replaced.ContentType, replaced.Metadata]).toEqual(["text/markdown", { b: "2" }]);
  });

  it("deletes many objects in one request", async () => {
    const bucket = await newBucket();
    for (const key of ["one", "two", "three"]) await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const result = await s3.client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "one" }, { Key: "two" }, { Key: "never-existed" }] } }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(["never-existed", "one", "two"]);
    expect(result.Errors ?? []).toEqual([]);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["three"]);
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "three" }));
  });
});

describe("listing", () => {
  let bucket: string;
  const keys = ["a/1.txt", "a/2.txt", "a/b/3.txt", "a/b/4.txt", "a/c/5.txt", "b/6.txt", "root.txt", "z"];

  beforeAll(async () => {
    bucket = await newBucket();
    await Promise.all(keys.map((key) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }))));
  });

  it("lists keys under a prefix, rolled up at the delimiter", async () => {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "a/", Delimiter: "/" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["a/1.txt", "a/2.txt"]);
    expect(listed.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/b/", "a/c/"]);
    expect(listed.KeyCount).toBe(4);
    const top = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    expect(top.Contents?.map((o) => o.Key)).toEqual(["root.txt", "z"]);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/"]);
    expect(top.Contents?.[0]).toMatchObject({ Size: 8, ETag: `"${md5("root.txt")}"`, StorageClass: "STANDARD" });
  });

  it("pages through every key in order with continuation tokens", async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3.client, pageSize: 3 }, { Bucket: bucket })) {
      pages++;
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(seen).toEqual(keys);
    expect(pages).toBe(3);
  });

  it("pages through common prefixes without repeating them", async () => {
    const first = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 1 }));
    expect([first.CommonPrefixes?.map((p) => p.Prefix), first.IsTruncated]).toEqual([["a/"], true]);
    const second = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    expect(second.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/"]);
    expect(second.Contents?.map((o) => o.Key)).toEqual(["root.txt"]);
    const third = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", ContinuationToken: second.NextContinuationToken }));
    expect([third.Contents?.map((o) => o.Key), third.IsTruncated]).toEqual([["z"], false]);
  });

  it("starts after a given key", async () => {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: "a/c/5.txt" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["b/6.txt", "root.txt", "z"]);
  });
});

describe("multipart uploads", () => {
  it("assembles a large upload made by the SDK's Upload helper", async () => {
    const bucket = await newBucket();
    const body = randomBytes(12 * 1024 * 1024 + 123);
    const upload = new Upload({ client: s3.client, params: { Bucket: bucket, Key: "videos/intro.mp4", Body: body, ContentType: "video/mp4" }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const result = await upload.done();
    expect(result.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "videos/intro.mp4" }));
    expect(got.ContentType).toBe("video/mp4");
    expect(got.ContentLength).toBe(body.length);
    expect(md5(await bytesOf(got))).toBe(md5(body));
    expect((await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
  });

  it("forgets an aborted upload", async () => {
    const bucket = await newBucket();
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "partial" }));
    expect((await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
    await s3.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "partial", UploadId }));
    expect((await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
    expect(await errorCode(s3.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "partial", UploadId })))).toBe("NoSuchUpload");
  });
});

describe("buckets", () => {
  it("creates, lists, heads and deletes a bucket", async () => {
    const bucket = uniqueBucketName();
    expect(await ensureBucket(s3.client, bucket)).toBe("created");
    expect(await ensureBucket(s3.client, bucket)).toBe("existed");
    expect(await errorCode(s3.client.send(new CreateBucketCommand({ Bucket: bucket })))).toBe("BucketAlreadyOwnedByYou");
    expect((await s3.client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(bucket);
    await s3.client.send(new HeadBucketCommand({ Bucket: bucket }));
    await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(await errorCode(s3.client.send(new HeadBucketCommand({ Bucket: bucket })))).toBe("NotFound");
  });

  it("refuses to delete a bucket that still holds an object", async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "left-behind", Body: "x" }));
    expect(await errorCode(s3.client.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe("BucketNotEmpty");
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "left-behind" }));
    await s3.client.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  it("refuses invalid bucket names", async () => {
    for (const name of ["ab", "Upper-Case", "under_score", "-leading", "192.168.1.1", "a..b"]) {
      expect(await errorCode(s3.client.send(new CreateBucketCommand({ Bucket: name })))).toBe("InvalidBucketName");
    }
  });

  it("keeps buckets private: the owner holds the only grant, and public ACLs are refused", async () => {
    const bucket = uniqueBucketName();
    await s3.client.send(new CreateBucketCommand({ Bucket: bucket, ACL: "private" }));
    const acl = await s3.client.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect(acl.Grants).toEqual([{ Grantee: { ID: acl.Owner?.ID, DisplayName: acl.Owner?.DisplayName, Type: "CanonicalUser" }, Permission: "FULL_CONTROL" }]);
    await s3.client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "private" }));
    expect(await errorCode(s3.client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" })))).toBe("AccessControlListNotSupported");
    expect(await errorCode(s3.client.send(new CreateBucketCommand({ Bucket: uniqueBucketName(), ACL: "public-read" })))).toBe("InvalidBucketAclWithObjectOwnership");
  });
});

describe("persistence", () => {
  it("keeps buckets, objects, metadata and scoped keys across a restart", async () => {
    const bucket = await newBucket();
    const body = randomBytes(2048);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "kept/after/restart.bin", Body: body, ContentType: "application/x-test", Metadata: { note: "survives" } }));
    const key = s3.server.createScopedKey([bucket]);

    await s3.restart();

    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "kept/after/restart.bin" }));
    expect(await bytesOf(got)).toEqual(body);
    expect([got.ContentType, got.Metadata]).toEqual(["application/x-test", { note: "survives" }]);
    const scoped = s3.clientFor(key);
    const listed = await scoped.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["kept/after/restart.bin"]);
  });
});
