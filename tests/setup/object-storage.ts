// Once per `vitest run`: a local S3 server (temporary folder, free port) holding the assets and backup buckets. Every test
// file's S3_* variables point at it (tests/setup/env.ts), so code that uses the platform's S3 client works as
// configured. Shared by all files: use unique bucket names. A test that needs a server of its own (a moved
// clock, a restart) starts one with tests/helpers/local-s3.ts.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { TestProject } from "vitest/node";
import { startLocalS3Server } from "../../tools/local-s3";

export type TestObjectStorage = {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  assetsBucket: string;
  backupBucket: string;
};

declare module "vitest" {
  export interface ProvidedContext {
    objectStorage: TestObjectStorage;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-test-s3-"));
  const rootCredentials = { accessKeyId: `LTRN${randomBytes(8).toString("hex").toUpperCase()}`, secretAccessKey: randomBytes(30).toString("base64") };
  const server = await startLocalS3Server({ dataDir, rootCredentials, lifecycleIntervalMs: null });
  const assetsBucket = `lyceum-assets-test-${randomBytes(4).toString("hex")}`;
  const client = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: rootCredentials });
  const backupBucket = `lyceum-backups-test-${randomBytes(4).toString("hex")}`;
  await client.send(new CreateBucketCommand({ Bucket: assetsBucket }));
  await client.send(new CreateBucketCommand({ Bucket: backupBucket }));
  client.destroy();
  project.provide("objectStorage", { endpoint: server.endpoint, region: server.region, ...rootCredentials, assetsBucket, backupBucket });

  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
