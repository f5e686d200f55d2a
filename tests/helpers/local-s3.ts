// A real local S3 server for one test file (temporary data folder, free port) and SDK clients made by the
// portal's own factory. `clock` controls the server's time (signatures, Last-Modified, lifecycle); clients
// made here follow it, so their signatures stay within the allowed skew.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "@/server/infra/object-storage/client";
import type { S3Credentials } from "@/server/infra/object-storage/settings";
import { startLocalS3Server, type LocalS3Server, type LocalS3ServerOptions } from "@/tools/local-s3";

type TestClock = {
  now(): Date;
  /** Moves the server's time (and the clients' with it) forward. */
  advance(ms: number): void;
  /** Sets the server's time; the clients follow. */
  set(date: Date): void;
  offsetMs(): number;
};

export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => void (offset += ms),
    set: (date) => void (offset = date.getTime() - Date.now()),
    offsetMs: () => offset,
  };
}

export type TestS3 = Awaited<ReturnType<typeof startLocalS3>>;

export async function startLocalS3(options: { clock?: TestClock } & Partial<Pick<LocalS3ServerOptions, "lifecycleIntervalMs" | "rootCredentials" | "region">> = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-s3-test-"));
  const rootCredentials = options.rootCredentials ?? {
    accessKeyId: `LTST${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64"),
  };
  const start = (port = 0) =>
    startLocalS3Server({
      dataDir,
      port,
      rootCredentials,
      region: options.region,
      clock: options.clock?.now,
      lifecycleIntervalMs: options.lifecycleIntervalMs ?? null,
    });
  let server: LocalS3Server = await start();
  const clients: S3Client[] = [];

  /** An SDK client for these credentials (default: the root key), as the portal makes them. */
  const clientFor = (credentials: S3Credentials = rootCredentials, clientOptions: { maxAttempts?: number } = {}) => {
    const client = createS3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials }, credentials);
    if (clientOptions.maxAttempts) client.config.maxAttempts = async () => clientOptions.maxAttempts!;
    const config = client.config as { systemClockOffset?: number };
    // The SDK signs with Date.now() + systemClockOffset: keep it on the server's (possibly moved) clock.
    Object.defineProperty(config, "systemClockOffset", { get: () => options.clock?.offsetMs() ?? 0, set: () => {}, configurable: true });
    clients.push(client);
    return client;
  };

  return {
    get server() {
      return server;
    },
    get endpoint() {
      return server.endpoint;
    },
    dataDir,
    rootCredentials,
    client: clientFor(),
    clientFor,
    /** What the portal's processes would be given to use this server. */
    get env() {
      return {
        S3_ENDPOINT: server.endpoint,
        S3_REGION: server.region,
        S3_ACCESS_KEY_ID: rootCredentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: rootCredentials.secretAccessKey,
        S3_FORCE_PATH_STYLE: "true",
      };
    },
    /** Stops the server and starts a new one on the same data folder and port (clients keep working). */
    async restart() {
      const port = server.port;
      await server.stop();
      server = await start(port);
    },
    async stop() {
      for (const client of clients) client.destroy();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A bucket name no other test (or helper running in parallel) uses. */
export const uniqueBucketName = (prefix = "test") => `${prefix}-${randomBytes(5).toString("hex")}`;
