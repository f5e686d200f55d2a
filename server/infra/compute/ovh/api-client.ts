// A promise-and-error-class face on the `ovh` package, which signs every request (X-Ovh-Application,
// X-Ovh-Consumer, X-Ovh-Timestamp, X-Ovh-Signature) and syncs its clock with GET /auth/time first.

import { abortReason, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../../call-options";
type OvhApiSettings = {
  /** `ovh-eu`, `ovh-ca`, … or an https:// URL with the API's base path (a loopback server in tests). */
  endpoint: string;
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  timeoutMs?: number;
};

export class OvhApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** The HTTP status, or null when no answer came (network error, unparsable body). */
    readonly status: number | null,
    readonly apiMessage: string,
  ) {
    super(`${method} ${path}: ${status ?? "no answer"} from the OVH API${apiMessage ? `: ${apiMessage}` : ""}`);
  }
}

export type OvhApi = {
  /**
   * One signed request. `signal` is checked before it is sent: the package cannot withdraw a request in flight, so
   * one already sent is waited for (up to `timeoutMs`), and the step that made it, with its instance's lease,
   * ends only after it.
   */
  request<T>(method: "GET" | "POST" | "DELETE", path: string, params?: Record<string, unknown>, signal?: AbortSignal): Promise<T>;
};

export function createOvhApi(settings: OvhApiSettings): OvhApi {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;
  // The package (and the promise library it brings) is loaded with the first request: portals on local compute
  // never need it.
  const loadClient = async () => (await import("ovh")).default({
    ...endpointParams(settings.endpoint),
    appKey: settings.applicationKey,
    appSecret: settings.applicationSecret,
    consumerKey: settings.consumerKey,
    // No `timeout` here: the package then adds a "timeout" listener to the socket on every request, and Node's
    // keep-alive agent reuses sockets, so they pile up (MaxListenersExceededWarning). We time calls out below.
    // Never debug: the package would print request bodies, and an instance's body carries its user-data (secrets).
    debug: false,
  });
  let client: ReturnType<typeof loadClient> | undefined;
  return {
    async request<T>(method: "GET" | "POST" | "DELETE", path: string, params?: Record<string, unknown>, signal?: AbortSignal) {
      if (signal?.aborted) throw new OvhApiError(method, path, null, `not sent (${abortReason(signal, timeoutMs)})`);
      try {
        // The package deletes keys from params as it substitutes them: hand it a copy.
        client ??= loadClient();
        return (await withTimeout((await client).requestPromised(method, path, params ? { ...params } : {}), timeoutMs)) as T;
      } catch (failure) {
        if (failure instanceof TimeoutError) throw new OvhApiError(method, path, null, `no answer within ${timeoutMs / 1000} s`);
        const { error, message } = (failure ?? {}) as { error?: unknown; message?: unknown };
        const status = typeof error === "number" ? error : null;
        const detail = typeof message === "string" ? message : status === null && error !== undefined ? String(error) : "";
        throw new OvhApiError(method, path, status, detail);
      }
    },
  };
}

/** The package takes either a known endpoint name or host, port and base path. */
function endpointParams(endpoint: string): { endpoint: string } | { host: string; port: number; basePath: string } {
  if (!endpoint.startsWith("https://")) return { endpoint };
  const url = new URL(endpoint);
  return { host: url.hostname, port: url.port ? Number(url.port) : 443, basePath: url.pathname.replace(/\/$/, "") };
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
