// A small S3-compatible object storage server for development and tests: path-style S3 REST API over HTTP,
// real SigV4 authentication, scoped access keys, versioning, CORS, lifecycle expiration, data on disk.
// What it implements and what it does not: README.md beside this file.
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Credentials, LifecycleAction, ScopedAccessKey } from "@/server/infra/object-storage/local-s3-admin-protocol";
import { AccessKeyStore } from "./access-keys";
import { createRequestListener } from "./http-server";
import { applyLifecycle } from "./lifecycle-runner";
import type { ServerState } from "./operations/context";
import { MultipartUploads } from "./storage/multipart-uploads";
import { ObjectStore } from "./storage/object-store";

export type { Credentials, LifecycleAction, ScopedAccessKey } from "@/server/infra/object-storage/local-s3-admin-protocol";

export type LocalS3ServerOptions = {
  /** Where buckets, objects and scoped keys live; reused across restarts. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The only region this server answers for (requests signed for another are refused). Default us-east-1. */
  region?: string;
  /** Full access; requests signed with it may also use the admin API. */
  rootCredentials: Credentials;
  /** The server's notion of now: signature skew and expiry, Last-Modified, lifecycle. Default: the real clock. */
  clock?: () => Date;
  /** How often lifecycle rules run on their own (ms); null: only through `applyLifecycle()`. Default one hour. */
  lifecycleIntervalMs?: number | null;
  /** Where unexpected (500) errors are reported. Default: console.error. */
  log?: (line: string) => void;
};

export type LocalS3Server = {
  /** `http://host:port`, for the SDK's `endpoint` (with `forcePathStyle: true`). */
  endpoint: string;
  host: string;
  port: number;
  region: string;
  rootCredentials: Credentials;
  /** A new access key that may use only these buckets (object and listing operations; see auth/policy.ts). */
  createScopedKey(buckets: string[], options?: { name?: string }): ScopedAccessKey;
  listScopedKeys(): ScopedAccessKey[];
  /** True when the key existed; requests signed with it fail with InvalidAccessKeyId from now on. */
  deleteScopedKey(accessKeyId: string): boolean;
  /** Applies every bucket's lifecycle rules as of `now` (default: the server's clock) and says what it did. */
  applyLifecycle(now?: Date): LifecycleAction[];
  stop(): Promise<void>;
};

export async function startLocalS3Server(options: LocalS3ServerOptions): Promise<LocalS3Server> {
  const clock = options.clock ?? (() => new Date());
  const region = options.region ?? "us-east-1";
  const log = options.log ?? ((line: string) => console.error(line));
  mkdirSync(options.dataDir, { recursive: true });
  const store = new ObjectStore(options.dataDir);
  const state: ServerState = {
    store,
    uploads: new MultipartUploads(store),
    keys: new AccessKeyStore(options.dataDir, options.rootCredentials),
    region,
    owner: {
      id: createHash("sha256").update(`lyceum-local-s3/${options.rootCredentials.accessKeyId}`).digest("hex"),
      displayName: "lyceum",
    },
  };
  const runLifecycle = (now = clock()) => applyLifecycle(state.store, state.uploads, now);
  const server: Server = createServer(createRequestListener({ state, clock, runLifecycle: () => runLifecycle(), log }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  const intervalMs = options.lifecycleIntervalMs === undefined ? 3_600_000 : options.lifecycleIntervalMs;
  const timer = intervalMs === null ? null : setInterval(() => {
    try {
      runLifecycle();
    } catch (error) {
      log(`lifecycle run failed: ${(error as Error).stack ?? error}`);
    }
  }, intervalMs);
  timer?.unref();

  return {
    endpoint: `http://${host}:${port}`,
    host: address,
    port,
    region,
    rootCredentials: options.rootCredentials,
    createScopedKey: (buckets, keyOptions) => state.keys.create({ buckets, name: keyOptions?.name }, clock()),
    listScopedKeys: () => state.keys.list(),
    deleteScopedKey: (accessKeyId) => state.keys.delete(accessKeyId),
    applyLifecycle: runLifecycle,
    async stop() {
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections (the SDK pools them) would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
