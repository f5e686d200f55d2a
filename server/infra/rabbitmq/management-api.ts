// RabbitMQ through its management HTTP API (https://www.rabbitmq.com/docs/http-api-reference): the same code
// for the production cluster and the local RabbitMQ (plugin rabbitmq_management, port 15672).
import { abortReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import type { RabbitDriver, RabbitUserSpec, RabbitVhostDefinitions } from "./driver";

export function createRabbitDriver(managementUrl: string, amqpUrl: string, callTimeoutMs = DEFAULT_DRIVER_CALL_TIMEOUT_MS): RabbitDriver {
  const url = new URL(managementUrl);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  url.username = "";
  url.password = "";
  const base = url.toString().replace(/\/$/, "");

  async function call(what: string, method: string, path: string, body?: unknown, signal?: AbortSignal) {
    // One signal for the request and its body: an abort resets the connection, so a request held on the wire is
    // never delivered after the caller gave up.
    const callSignalled = callSignal(signal, callTimeoutMs);
    let response: Response;
    try {
      response = await fetch(`${base}/api${path}`, {
        method,
        headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: callSignalled,
      });
    } catch (error) {
      if (callSignalled.aborted) throw new Error(`${what}: management API at ${base}: stopped, connection reset (${abortReason(callSignalled, callTimeoutMs)})`);
      throw new Error(`${what}: management API at ${base} unreachable (${(error as Error).message})`);
    }
    if (response.status === 404 && method !== "PUT") return response;
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);
      throw new Error(`${what}: ${response.status} from management API${detail ? `: ${detail}` : ""}`);
    }
    return response;
  }

  const segment = encodeURIComponent;

  return {
    name: "rabbitmq-management",
    amqpUrl,

    async ensureVhost(vhost, signal) {
      const response = await call(`create RabbitMQ vhost ${vhost}`, "PUT", `/vhosts/${segment(vhost)}`, { description: "Lyceum instance" }, signal);
      return { isNew: response.status === 201 };
    },

    async ensureUser({ vhost, user, password }: RabbitUserSpec, signal) {
      // Tags "": no management UI access, AMQP only.
      const created = await call(`create RabbitMQ user ${user}`, "PUT", `/users/${segment(user)}`, { password, tags: "" }, signal);
      await call(
        `grant ${user} on vhost ${vhost}`,
        "PUT",
        `/permissions/${segment(vhost)}/${segment(user)}`,
        { configure: ".*", write: ".*", read: ".*" },
        signal,
      );
      // Converge: no rights on any other vhost.
      const existing = (await (await call(`list permissions of ${user}`, "GET", `/users/${segment(user)}/permissions`, undefined, signal)).json()) as {
        vhost: string;
      }[];
      for (const permission of existing.filter((p) => p.vhost !== vhost)) {
        await call(`revoke ${user} on ${permission.vhost}`, "DELETE", `/permissions/${segment(permission.vhost)}/${segment(user)}`, undefined, signal);
      }
      return { isNew: created.status === 201 };
    },

    async deleteUser(user, signal) {
      const response = await call(`delete RabbitMQ user ${user}`, "DELETE", `/users/${segment(user)}`, undefined, signal);
      return { existed: response.status !== 404 };
    },

    async listVhosts(signal) {
      const vhosts = (await (await call("list RabbitMQ vhosts", "GET", "/vhosts?columns=name", undefined, signal)).json()) as { name: string }[];
      return vhosts.map((vhost) => vhost.name);
    },

    async listUsers(signal) {
      const users = (await (await call("list RabbitMQ users", "GET", "/users?columns=name", undefined, signal)).json()) as { name: string }[];
      return users.map((user) => user.name);
    },

    async exportDefinitions(vhost, signal) {
      const response = await call(`export definitions of RabbitMQ vhost ${vhost}`, "GET", `/definitions/${segment(vhost)}`, undefined, signal);
      if (response.status === 404) throw new Error(`export definitions of RabbitMQ vhost ${vhost}: no such vhost`);
      return (await response.json()) as RabbitVhostDefinitions;
    },

    async importDefinitions(vhost, definitions, signal) {
      const response = await call(`import definitions into RabbitMQ vhost ${vhost}`, "POST", `/definitions/${segment(vhost)}`, definitions, signal);
      if (response.status === 404) throw new Error(`import definitions into RabbitMQ vhost ${vhost}: no such vhost`);
    },

    async deleteVhost(vhost, signal) {
      const response = await call(`delete RabbitMQ vhost ${vhost}`, "DELETE", `/vhosts/${segment(vhost)}`, undefined, signal);
      return { existed: response.status !== 404 };
    },
  };
}
