// The one place that makes S3 clients: for the platform (its own credentials, from configuration) and for a
// given key pair (e.g. an instance's bucket-scoped key), always against the configured endpoint and region.
import { S3Client } from "@aws-sdk/client-s3";
import { objectStorageSettings, type ObjectStorageSettings, type S3Credentials } from "./settings";

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
