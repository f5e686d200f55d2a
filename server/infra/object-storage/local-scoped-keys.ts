// Bucket keys on the local S3 server: its admin API mints keys that carry their bucket list themselves (no
// principal to create); the key's name is the label that finds an instance's keys again.
import type { BucketKeyIssuer, S3KeyPair } from "./bucket-keys";
import { LocalS3AdminClient } from "./local-s3-admin-client";

export function createLocalScopedKeyIssuer(options: { endpoint: string; region: string; rootCredentials: S3KeyPair; callTimeoutMs?: number }): BucketKeyIssuer {
  const admin = new LocalS3AdminClient({ endpoint: options.endpoint, region: options.region, rootCredentials: options.rootCredentials, callTimeoutMs: options.callTimeoutMs });
  return {
    name: "local-scoped-keys",
    hasPrincipals: false,
    async ensurePrincipal() {
      return { isNew: false };
    },
    async listKeys(name, signal) {
      return (await admin.listAccessKeys(signal)).filter((key) => key.name === name).map((key) => key.accessKeyId);
    },
    async createKey(name, bucket, signal) {
      const key = await admin.createAccessKey({ buckets: [bucket], name }, signal);
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
    async deleteKey(_name, accessKeyId, signal) {
      return { existed: await admin.deleteAccessKey(accessKeyId, signal) };
    },
    async setUploadsBlocked(name, _bucket, blocked) {
      for (const key of await admin.listAccessKeys()) {
        if (key.name === name && (key.uploadsBlocked === true) !== blocked) await admin.setUploadsBlocked(key.accessKeyId, blocked);
      }
    },
    async deletePrincipal() {
      return { existed: false };
    },
  };
}
