// Elasticsearch's security API over HTTP (PUT/DELETE /_security/role/<name> and /_security/user/<name>), signed in
// with the platform's admin account from ELASTICSEARCH_ADMIN_URL.
import { abortReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import type { SearchSecurityDriver, SearchUserSpec } from "./driver";

export function createSearchSecurityDriver(adminUrl: string, callTimeoutMs = DEFAULT_DRIVER_CALL_TIMEOUT_MS): SearchSecurityDriver {
  const url = new URL(adminUrl);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  url.username = "";
  url.password = "";
  const base = url.toString().replace(/\/$/, "");

  async function call(what: string, method: "PUT" | "DELETE", path: string, body?: unknown, signal?: AbortSignal) {
    const stop = callSignal(signal, callTimeoutMs);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: stop,
      });
    } catch (error) {
      if (stop.aborted) throw new Error(`${what}: Elasticsearch at ${base}: stopped, connection reset (${abortReason(stop, callTimeoutMs)})`);
      throw new Error(`${what}: Elasticsearch at ${base} unreachable (${(error as Error).message})`);
    }
    if (response.status === 404 && method === "DELETE") return response;
    if (!response.ok) {
      // The body is Elasticsearch's error object; it never echoes the password we sent.
      const detail = (await response.text()).slice(0, 300);
      throw new Error(`${what}: ${response.status} from Elasticsearch security API${detail ? `: ${detail}` : ""}`);
    }
    return response;
  }

  const segment = encodeURIComponent;

  return {
    name: "elasticsearch-security",

    async ensureUser({ user, role, password, indexPrefix }: SearchUserSpec, signal) {
      // PUT replaces the whole role: a role widened by hand is narrowed back to the instance's prefix.
      await call(`create Elasticsearch role ${role}`, "PUT", `/_security/role/${segment(role)}`, { indices: [{ names: [`${indexPrefix}*`], privileges: ["all"] }] }, signal);
      // PUT on an existing user replaces its password and roles too: a retry converges on the ledger's password.
      const response = await call(`create Elasticsearch user ${user}`, "PUT", `/_security/user/${segment(user)}`, { password, roles: [role] }, signal);
      const result = (await response.json()) as { created?: boolean };
      return { isNew: result.created === true };
    },

    async deleteUser(user, signal) {
      const response = await call(`delete Elasticsearch user ${user}`, "DELETE", `/_security/user/${segment(user)}`, undefined, signal);
      return { existed: response.status !== 404 };
    },

    async deleteRole(role, signal) {
      const response = await call(`delete Elasticsearch role ${role}`, "DELETE", `/_security/role/${segment(role)}`, undefined, signal);
      return { existed: response.status !== 404 };
    },
  };
}
