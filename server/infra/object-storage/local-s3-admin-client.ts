// The local object-storage driver's client for the local S3 server's admin API (local-s3-admin-protocol.ts):
// mints and deletes scoped access keys and runs lifecycle rules, over HTTP like the S3 calls, signed with
// SigV4 and the root key. The server itself is a development tool in tools/local-s3/, reached only at the
// endpoint the driver is configured with.
import {
  ADMIN_PATH_PREFIX, type BucketQuota, type LifecycleAction, type PublicScopedAccessKey, type ScopedAccessKey,
} from "./local-s3-admin-protocol";
import { abortedCallReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import { signRequest } from "./sigv4";

type AdminClientOptions = {
  endpoint: string;
  region: string;
  rootCredentials: { accessKeyId: string; secretAccessKey: string };
  /** The time to sign with (a test server may run on a moved clock). Default: the real clock. */
  clock?: () => Date;
  /** Each request that has not answered in this long is aborted. */
  callTimeoutMs?: number;
};

export class LocalS3AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "LocalS3AdminError";
  }
}

export class LocalS3AdminClient {
  constructor(private readonly options: AdminClientOptions) {}

  /** A new access key limited to `buckets`; the secret is only ever returned here. */
  createAccessKey(input: { buckets: string[]; name?: string }, signal?: AbortSignal): Promise<ScopedAccessKey> {
    return this.call("POST", "access-keys", input, signal) as Promise<ScopedAccessKey>;
  }

  async listAccessKeys(signal?: AbortSignal): Promise<PublicScopedAccessKey[]> {
    return ((await this.call("GET", "access-keys", undefined, signal)) as { accessKeys: PublicScopedAccessKey[] }).accessKeys;
  }

  /** Blocks or allows the key's uploads (its reads, listings and deletes are untouched). */
  setUploadsBlocked(accessKeyId: string, uploadsBlocked: boolean): Promise<PublicScopedAccessKey> {
    return this.call("PATCH", `access-keys/${encodeURIComponent(accessKeyId)}`, { uploadsBlocked }) as Promise<PublicScopedAccessKey>;
  }

  /** True when it existed. */
  async deleteAccessKey(accessKeyId: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call("DELETE", `access-keys/${encodeURIComponent(accessKeyId)}`, undefined, signal);
      return true;
    } catch (error) {
      if (error instanceof LocalS3AdminError && error.status === 404) return false;
      throw error;
    }
  }

  /** Applies every bucket's lifecycle rules now (the server also does so on a timer). */
  async runLifecycle(): Promise<LifecycleAction[]> {
    return ((await this.call("POST", "lifecycle/run")) as { actions: LifecycleAction[] }).actions;
  }

  /** Caps the bytes `bucket` may hold (null lifts the cap): how the tests fill a store. */
  setBucketQuota(bucket: string, bytes: number | null): Promise<BucketQuota> {
    return this.call("PUT", `buckets/${encodeURIComponent(bucket)}/quota`, { bytes }) as Promise<BucketQuota>;
  }

  private async call(method: string, route: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const timeoutMs = this.options.callTimeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;
    const url = new URL(`${ADMIN_PATH_PREFIX}${route}`, this.options.endpoint);
    const payload = body === undefined ? "" : JSON.stringify(body);
    const headers = signRequest({
      method,
      url,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: payload,
      credentials: this.options.rootCredentials,
      region: this.options.region,
      now: this.options.clock?.(),
    });
    delete headers.host; // fetch sets it from the URL (the same value)
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : payload, signal: callSignal(signal, timeoutMs) });
      text = await response.text();
    } catch (error) {
      const stopped = abortedCallReason(error, timeoutMs);
      throw stopped ? new Error(`local S3 admin ${method} ${route}: stopped, connection reset (${stopped})`) : error;
    }
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (json ?? {}) as { code?: string; message?: string };
      throw new LocalS3AdminError(response.status, error.code ?? "Unknown", `local S3 admin ${method} ${route}: ${response.status} ${error.code ?? ""} ${error.message ?? text}`.trim());
    }
    return json;
  }
}
