// Authentication and authorisation on the local S3 server: Signature Version 4 verified for real (headers,
// presigned URLs, chunk signatures), scoped keys confined to their buckets, the admin API for the root key only.
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, GetObjectCommand, HeadBucketCommand, ListBucketsCommand,
  ListObjectsV2Command, PutBucketCorsCommand, PutObjectCommand, S3ServiceException, type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "@/server/infra/object-storage/client";
import { LocalS3AdminClient, LocalS3AdminError } from "@/server/infra/object-storage/local-s3-admin-client";
import { signRequest } from "@/server/infra/object-storage/sigv4";
import { startLocalS3, testClock, uniqueBucketName, type TestS3 } from "@/tests/helpers/local-s3";
import { errorCodeIn, rawRequest } from "@/tests/helpers/raw-http";

const clock = testClock();
let s3: TestS3;
let bucket: string;
let otherBucket: string;

beforeAll(async () => {
  s3 = await startLocalS3({ clock });
  bucket = uniqueBucketName("mine");
  otherBucket = uniqueBucketName("theirs");
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.client.send(new CreateBucketCommand({ Bucket: otherBucket }));
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello" }));
  await s3.client.send(new PutObjectCommand({ Bucket: otherBucket, Key: "secret.txt", Body: "not yours" }));
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

/** A client that signs the way we say and does not retry (the SDK would correct its clock and try again). */
function oneShotClient(credentials: { accessKeyId: string; secretAccessKey: string }, options: { region?: string; clockOffsetMs?: number } = {}): S3Client {
  const client = createS3Client({ endpoint: s3.endpoint, region: options.region ?? "us-east-1", forcePathStyle: true, credentials }, credentials);
  client.config.maxAttempts = async () => 1;
  (client.config as { systemClockOffset: number }).systemClockOffset = options.clockOffsetMs ?? 0;
  return client;
}

describe("signatures", () => {
  it("refuses a request signed with the wrong secret", async () => {
    const client = oneShotClient({ accessKeyId: s3.rootCredentials.accessKeyId, secretAccessKey: "not-the-secret" });
    expect(await errorCode(client.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe("SignatureDoesNotMatch");
    expect(await errorCode(client.send(new PutObjectCommand({ Bucket: bucket, Key: "forged", Body: "x" })))).toBe("SignatureDoesNotMatch");
    client.destroy();
  });

  it("refuses an access key it does not know", async () => {
    const client = oneShotClient({ accessKeyId: "AKIANOBODYKNOWSTHIS0", secretAccessKey: "whatever" });
    expect(await errorCode(client.send(new ListBucketsCommand({})))).toBe("InvalidAccessKeyId");
    client.destroy();
  });

  it("refuses a request signed more than 15 minutes away from the server's time", async () => {
    const client = oneShotClient(s3.rootCredentials, { clockOffsetMs: -20 * 60 * 1000 });
    expect(await errorCode(client.send(new ListBucketsCommand({})))).toBe("RequestTimeTooSkewed");
    client.destroy();
  });

  it("refuses a request signed for another region", async () => {
    const client = oneShotClient(s3.rootCredentials, { region: "eu-west-3" });
    expect(await errorCode(client.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe("AuthorizationHeaderMalformed");
    client.destroy();
  });

  it("refuses anonymous requests", async () => {
    const read = await rawRequest(`${s3.endpoint}/${bucket}/hello.txt`);
    expect([read.status, errorCodeIn(read.body)]).toEqual([403, "AccessDenied"]);
    const write = await rawRequest(`${s3.endpoint}/${bucket}/anonymous.txt`, { method: "PUT", body: "x" });
    expect([write.status, errorCodeIn(write.body)]).toEqual([403, "AccessDenied"]);
    const list = await rawRequest(`${s3.endpoint}/`);
    expect(list.status).toBe(403);
  });

  it("refuses a body that does not match the SHA-256 it was signed with, and stores nothing", async () => {
    const url = new URL(`${s3.endpoint}/${bucket}/tampered.txt`);
    const headers = signRequest({ method: "PUT", url, body: "what was signed", credentials: s3.rootCredentials, region: "us-east-1", now: clock.now() });
    const response = await rawRequest(url.toString(), { method: "PUT", headers, body: "what was sent!!" });
    expect([response.status, errorCodeIn(response.body)]).toEqual([400, "XAmzContentSHA256Mismatch"]);
    expect(await errorCode(s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "tampered.txt" })))).toBe("NoSuchKey");
  });
});

describe("presigned URLs", () => {
  it("serve a GET until they expire", async () => {
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 60 });
    const fresh = await rawRequest(url);
    expect([fresh.status, fresh.body]).toEqual([200, "hello"]);

    clock.advance(61_000);
    try {
      const expired = await rawRequest(url);
      expect([expired.status, errorCodeIn(expired.body)]).toEqual([403, "AccessDenied"]);
      expect(expired.body).toContain("Request has expired");
    } finally {
      clock.advance(-61_000);
    }
  });

  it("are bound to the object they were made for", async () => {
    const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 60 });
    const response = await rawRequest(url.replace("/hello.txt", "/other.txt"));
    expect([response.status, errorCodeIn(response.body)]).toEqual([403, "SignatureDoesNotMatch"]);
  });

  it("let a browser PUT an upload with an unsigned payload", async () => {
    const url = await getSignedUrl(s3.client, new PutObjectCommand({ Bucket: bucket, Key: "uploads/from-browser.txt", ContentType: "text/plain" }), { expiresIn: 300 });
    const response = await rawRequest(url, { method: "PUT", headers: { "content-type": "text/plain" }, body: "uploaded directly" });
    expect(response.status).toBe(200);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/from-browser.txt" }));
    expect(await got.Body!.transformToString()).toBe("uploaded directly");
    expect(got.ContentType).toBe("text/plain");
  });
});

describe("scoped access keys", () => {
  it("read and write their own bucket and nothing else", async () => {
    const key = s3.server.createScopedKey([bucket], { name: "instance academy" });
    const scoped = s3.clientFor(key);

    await scoped.send(new PutObjectCommand({ Bucket: bucket, Key: "from-instance.txt", Body: "mine" }));
    expect(await (await scoped.send(new GetObjectCommand({ Bucket: bucket, Key: "from-instance.txt" }))).Body!.transformToString()).toBe("mine");
    expect((await scoped.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((o) => o.Key)).toContain("hello.txt");
    await scoped.send(new HeadBucketCommand({ Bucket: bucket }));

    expect(await errorCode(scoped.send(new GetObjectCommand({ Bucket: otherBucket, Key: "secret.txt" })))).toBe("AccessDenied");
    expect(await errorCode(scoped.send(new PutObjectCommand({ Bucket: otherBucket, Key: "intruder.txt", Body: "x" })))).toBe("AccessDenied");
    expect(await errorCode(scoped.send(new ListObjectsV2Command({ Bucket: otherBucket })))).toBe("AccessDenied");
    expect(await errorCode(scoped.send(new CopyObjectCommand({ Bucket: bucket, Key: "stolen.txt", CopySource: `${otherBucket}/secret.txt` })))).toBe("AccessDenied");
    // A bucket that does not exist is refused the same way, so a key cannot probe for other buckets.
    expect(await errorCode(scoped.send(new ListObjectsV2Command({ Bucket: uniqueBucketName("absent") })))).toBe("AccessDenied");
  });

  it("cannot list, create or delete buckets, nor change their configuration", async () => {
    const scoped = s3.clientFor(s3.server.createScopedKey([bucket]));
    expect(await errorCode(scoped.send(new ListBucketsCommand({})))).toBe("AccessDenied");
    expect(await errorCode(scoped.send(new CreateBucketCommand({ Bucket: uniqueBucketName("new") })))).toBe("AccessDenied");
    expect(await errorCode(scoped.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe("AccessDenied");
    expect(
      await errorCode(scoped.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }] } }))),
    ).toBe("AccessDenied");
  });

  it("stop working once deleted", async () => {
    const key = s3.server.createScopedKey([bucket]);
    const scoped = s3.clientFor(key);
    await scoped.send(new HeadBucketCommand({ Bucket: bucket }));
    expect(s3.server.deleteScopedKey(key.accessKeyId)).toBe(true);
    expect(await errorCode(scoped.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe("InvalidAccessKeyId");
  });
});

describe("admin API", () => {
  it("lets the root key manage scoped keys over HTTP", async () => {
    const admin = new LocalS3AdminClient({ endpoint: s3.endpoint, region: "us-east-1", rootCredentials: s3.rootCredentials });
    const created = await admin.createAccessKey({ buckets: [otherBucket], name: "other instance" });
    expect(created).toMatchObject({ buckets: [otherBucket], name: "other instance" });
    expect(created.secretAccessKey).toBeTruthy();

    const listed = await admin.listAccessKeys();
    const entry = listed.find((key) => key.accessKeyId === created.accessKeyId);
    expect(entry).toMatchObject({ buckets: [otherBucket], name: "other instance" });
    expect(entry).not.toHaveProperty("secretAccessKey");

    const scoped = s3.clientFor(created);
    expect(await (await scoped.send(new GetObjectCommand({ Bucket: otherBucket, Key: "secret.txt" }))).Body!.transformToString()).toBe("not yours");
    expect(await errorCode(scoped.send(new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" })))).toBe("AccessDenied");

    expect(await admin.deleteAccessKey(created.accessKeyId)).toBe(true);
    expect(await admin.deleteAccessKey(created.accessKeyId)).toBe(false);
    expect(await errorCode(scoped.send(new GetObjectCommand({ Bucket: otherBucket, Key: "secret.txt" })))).toBe("InvalidAccessKeyId");
  });

  it("refuses scoped keys and bad signatures", async () => {
    const scopedKey = s3.server.createScopedKey([bucket]);
    const asScoped = new LocalS3AdminClient({ endpoint: s3.endpoint, region: "us-east-1", rootCredentials: scopedKey });
    await expect(asScoped.listAccessKeys()).rejects.toMatchObject({ status: 403, code: "AccessDenied" });
    const forged = new LocalS3AdminClient({ endpoint: s3.endpoint, region: "us-east-1", rootCredentials: { ...s3.rootCredentials, secretAccessKey: "guess" } });
    await expect(forged.createAccessKey({ buckets: [otherBucket] })).rejects.toBeInstanceOf(LocalS3AdminError);
    await expect(forged.createAccessKey({ buckets: [otherBucket] })).rejects.toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });
  });
});

describe("chunked uploads signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)", () => {
  // The worked example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html: its key pair,
  // its time, and the seed and chunk signatures AWS computed. The server must accept it byte for byte.
  const example = {
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    headers: {
      host: "s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": "66560",
      "content-length": "66824",
    },
    body: (secondChunk: Buffer) =>
      Buffer.concat([
        Buffer.from("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"),
        Buffer.alloc(65536, "a"),
        Buffer.from("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"),
        secondChunk,
        Buffer.from("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"),
      ]),
  };

  it("accept AWS's documented example and refuse it with one byte changed", async () => {
    const exampleClock = testClock();
    exampleClock.set(new Date("2013-05-24T00:00:00Z"));
    const server = await startLocalS3({ clock: exampleClock, rootCredentials: example.credentials });
    try {
      await server.client.send(new CreateBucketCommand({ Bucket: "examplebucket" }));
      const url = `${server.endpoint}/examplebucket/chunkObject.txt`;
      const accepted = await rawRequest(url, { method: "PUT", headers: example.headers, body: example.body(Buffer.alloc(1024, "a")) });
      expect(accepted.status).toBe(200);
      const got = await server.client.send(new GetObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt" }));
      expect(await got.Body!.transformToString()).toBe("a".repeat(66560));
      expect(got.StorageClass).toBe("REDUCED_REDUNDANCY");

      const tamperedChunk = Buffer.alloc(1024, "a");
      tamperedChunk[100] = "b".charCodeAt(0);
      const refused = await rawRequest(url, { method: "PUT", headers: example.headers, body: example.body(tamperedChunk) });
      expect([refused.status, errorCodeIn(refused.body)]).toEqual([403, "SignatureDoesNotMatch"]);
      // The object is still the one from the accepted upload.
      const after = await server.client.send(new GetObjectCommand({ Bucket: "examplebucket", Key: "chunkObject.txt" }));
      expect(await after.Body!.transformToString()).toBe("a".repeat(66560));
    } finally {
      await server.stop();
    }
  });
});

it("makes scoped keys shaped like AWS's, which tools that check the shape accept", () => {
  const key = s3.server.createScopedKey([bucket]);
  expect(key.accessKeyId).toMatch(/^[A-Z0-9]{20}$/);
  expect(key.secretAccessKey).toHaveLength(40);
});
