// The one place that makes S3 clients: for the platform (its own credentials, from configuration) and for a
// given key pair (e.g. an instance's bucket-scoped key), always against the configured endpoint and region.
import { S3Client } from "@aws-sdk/client-s3";
import { env, type Env } from "@/server/env";

export type S3Credentials = { accessKeyId: string; secretAccessKey: string };

type ObjectStorageSettings = {
  /** undefined: AWS S3. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** The platform's credentials; undefined: the AWS SDK's default chain (instance role, ~/.aws, …). */
  credentials: S3Credentials | undefined;
};

export function objectStorageSettings(config: Env = env()): ObjectStorageSettings {
  const forcePathStyle = config.S3_FORCE_PATH_STYLE === undefined ? Boolean(config.S3_ENDPOINT) : ["true", "1"].includes(config.S3_FORCE_PATH_STYLE);
  return {
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
  };
}

/** A client for these settings, signing with `credentials` (default: the settings' own). */
export function createS3Client(settings: ObjectStorageSettings, credentials: S3Credentials | undefined = settings.credentials): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials,
  });
}

let platformClient: S3Client | undefined;

/** The platform's client (shared; do not destroy it). */
export function platformS3Client(): S3Client {
  platformClient ??= createS3Client(objectStorageSettings());
  return platformClient;
}

/** A client signing with other credentials (an instance's key) against the configured endpoint and region. */
export function s3ClientWithCredentials(credentials: S3Credentials): S3Client {
  return createS3Client(objectStorageSettings(), credentials);
}
