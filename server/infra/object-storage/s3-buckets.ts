// Instance buckets through @aws-sdk/client-s3: the same calls for AWS S3 and for the local S3 server.
import type { S3Client } from "@aws-sdk/client-s3";
import { abortedCallReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import type { BucketKeyIssuer } from "./bucket-keys";
import type { BucketSpec, ObjectStorageDriver } from "./driver";

type S3Sdk = typeof import("@aws-sdk/client-s3");

type S3ObjectStorageOptions = {
  name: string;
  /** Called once, at the first request: the SDK (several MB resident) is imported with it, not with this module. */
  client: () => Promise<S3Client>;
  settings: ObjectStorageDriver["settings"];
  keys: BucketKeyIssuer;
  /** AWS only: turn on the bucket's Block Public Access settings (the local server has no such API). */
  blocksPublicAccess: boolean;
  /** Each S3 request (with the SDK's own retries) that has not answered in this long is aborted. */
  callTimeoutMs?: number;
};

export function createS3ObjectStorage(options: S3ObjectStorageOptions): ObjectStorageDriver {
  const { settings } = options;
  let connection: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;
  const connect = () => (connection ??= Promise.all([import("@aws-sdk/client-s3"), options.client()]).then(([sdk, client]) => ({ sdk, client })));
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;
  // The SDK destroys the request's socket on abort: a request held on the wire is never delivered afterwards.
  const call = (signal: AbortSignal | undefined) => ({ abortSignal: callSignal(signal, callTimeoutMs) });

  async function send<T>(what: string, run: (sdk: S3Sdk, client: S3Client) => Promise<T>): Promise<T> {
    const { sdk, client } = await connect();
    try {
      return await run(sdk, client);
    } catch (error) {
      const stopped = abortedCallReason(error, callTimeoutMs);
      if (stopped) throw new Error(`${what}: stopped, connection reset (${stopped})`);
      if (error instanceof sdk.S3ServiceException) {
        throw Object.assign(new Error(`${what}: ${error.$metadata.httpStatusCode ?? ""} ${error.name} from S3: ${error.message}`), { s3Code: error.name });
      }
      throw new Error(`${what}: ${(error as Error).message}`);
    }
  }

  async function bucketExists(bucket: string, signal?: AbortSignal) {
    const { sdk, client } = await connect();
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }), call(signal));
      return true;
    } catch (error) {
      if (error instanceof sdk.S3ServiceException && (error.name === "NotFound" || error.name === "NoSuchBucket")) return false;
      const stopped = abortedCallReason(error, callTimeoutMs);
      if (stopped) throw new Error(`look up bucket ${bucket}: stopped, connection reset (${stopped})`);
      throw new Error(`look up bucket ${bucket}: ${(error as Error).name} ${(error as Error).message}`);
    }
  }

  return {
    name: options.name,
    settings,
    keys: options.keys,

    async close() {
      const opened = connection;
      connection = undefined;
      (await opened)?.client.destroy();
    },

    async ensureBucket(spec: BucketSpec, signal) {
      const { bucket } = spec;
      const isNew = !(await bucketExists(bucket, signal));
      if (isNew) {
        await send(`create bucket ${bucket}`, (sdk, client) =>
          client.send(
            new sdk.CreateBucketCommand({
              Bucket: bucket,
              ACL: "private",
              // us-east-1 is the one region that refuses an explicit location constraint.
              ...(settings.region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: settings.region as never } }),
            }),
            call(signal),
          ),
        );
      }
      await send(`make bucket ${bucket} private`, (sdk, client) => client.send(new sdk.PutBucketAclCommand({ Bucket: bucket, ACL: "private" }), call(signal)));
      if (options.blocksPublicAccess) {
        await send(`block public access to bucket ${bucket}`, (sdk, client) =>
          client.send(
            new sdk.PutPublicAccessBlockCommand({
              Bucket: bucket,
              PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
            }),
            call(signal),
          ),
        );
      }
      await send(`turn on versioning of bucket ${bucket}`, (sdk, client) =>
        client.send(new sdk.PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }), call(signal)),
      );
      await send(`set the CORS rules of bucket ${bucket}`, (sdk, client) =>
        client.send(
          new sdk.PutBucketCorsCommand({
            Bucket: bucket,
            CORSConfiguration: {
              CORSRules: [
                {
                  ID: "instance-sites",
                  AllowedOrigins: spec.corsOrigins,
                  AllowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
                  AllowedHeaders: ["*"],
                  ExposeHeaders: ["ETag"],
                  MaxAgeSeconds: 3000,
                },
              ],
            },
          }),
          call(signal),
        ),
      );
      await send(`set the lifecycle of bucket ${bucket}`, (sdk, client) =>
        client.send(
          new sdk.PutBucketLifecycleConfigurationCommand({
            Bucket: bucket,
            LifecycleConfiguration: {
              Rules: [
                {
                  ID: "expire-tracking-logs",
                  Status: "Enabled",
                  Filter: { Prefix: spec.trackingLogs.prefix },
                  Expiration: { Days: spec.trackingLogs.expireAfterDays },
                  NoncurrentVersionExpiration: { NoncurrentDays: 1 },
                },
                { ID: "abort-stale-uploads", Status: "Enabled", Filter: { Prefix: "" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
              ],
            },
          }),
          call(signal),
        ),
      );
      return { isNew };
    },

    async bucketUsageBytes(bucket, signal) {
      let bytes = 0;
      for (let keyMarker: string | undefined, versionMarker: string | undefined, isTruncated = true; isTruncated; ) {
        const page = await send(`list the versions in bucket ${bucket}`, (sdk, client) =>
          client.send(new sdk.ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }), { abortSignal: signal }),
        );
        for (const version of page.Versions ?? []) bytes += version.Size ?? 0;
        isTruncated = Boolean(page.IsTruncated);
        keyMarker = page.NextKeyMarker;
        versionMarker = page.NextVersionIdMarker;
      }
      return bytes;
    },

    async listBuckets(signal) {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await send("list buckets", (sdk, client) => client.send(new sdk.ListBucketsCommand({ ContinuationToken: token }), call(signal)));
        names.push(...(page.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : [])));
        token = page.ContinuationToken;
      } while (token);
      return names;
    },

    async deleteBucket(bucket, signal) {
      if (!(await bucketExists(bucket, signal))) return { existed: false, deletedVersions: 0 };
      let deletedVersions = 0;
      // A versioned bucket only goes once every version and delete marker is gone.
      for (let keyMarker: string | undefined, versionMarker: string | undefined, isTruncated = true; isTruncated; ) {
        const page = await send(`list the versions in bucket ${bucket}`, (sdk, client) =>
          client.send(new sdk.ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }), call(signal)),
        );
        const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
        if (objects.length > 0) {
          const result = await send(`delete ${objects.length} versions in bucket ${bucket}`, (sdk, client) =>
            client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }), call(signal)),
          );
          if (result.Errors?.length) throw new Error(`delete versions in bucket ${bucket}: ${result.Errors[0]!.Code} ${result.Errors[0]!.Message}`);
          deletedVersions += objects.length;
        }
        isTruncated = Boolean(page.IsTruncated);
        keyMarker = page.NextKeyMarker;
        versionMarker = page.NextVersionIdMarker;
      }
      const uploads = await send(`list unfinished uploads in bucket ${bucket}`, (sdk, client) =>
        client.send(new sdk.ListMultipartUploadsCommand({ Bucket: bucket }), call(signal)),
      );
      for (const upload of uploads.Uploads ?? []) {
        await send(`abort upload ${upload.UploadId}`, (sdk, client) =>
          client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key!, UploadId: upload.UploadId! }), call(signal)),
        );
      }
      await send(`delete bucket ${bucket}`, (sdk, client) => client.send(new sdk.DeleteBucketCommand({ Bucket: bucket }), call(signal)));
      return { existed: true, deletedVersions };
    },
  };
}

