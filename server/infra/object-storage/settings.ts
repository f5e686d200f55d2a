// Where object storage is and how the platform signs for it, from configuration. Apart from client.ts so that
// reading the settings does not import the AWS SDK (the worker loads it with its first bucket call).
import { env, type Env } from "@/server/env";

export type S3Credentials = { accessKeyId: string; secretAccessKey: string };

export type ObjectStorageSettings = {
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
