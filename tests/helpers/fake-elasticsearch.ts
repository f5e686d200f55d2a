// A loopback Elasticsearch 7 with security on, as its security API and its authorisation behave: every request
// signs in with HTTP basic auth (401 without it or with a wrong password). The admin account alone may use
// PUT/DELETE /_security/role/<name> ({ indices: [{ names, privileges }] }, answering { role: { created } }) and
// PUT/DELETE /_security/user/<name> ({ password of 6+ characters, roles }, answering { created }; a DELETE of a
// missing one is a 404 with { found: false }). Index requests (/<index>, /<index>/_doc, /<index>/_search) are
// allowed to a user only if one of its roles' index patterns covers the index, else 403 security_exception, as
// the real cluster answers. Anything else is a 400, so the client under test must speak the real API.
import http from "node:http";
import type { AddressInfo } from "node:net";

type Role = { indices: { names: string[]; privileges: string[] }[] };
type User = { password: string; roles: string[] };

const NAME = /^[a-zA-Z0-9_.@-]{1,1024}$/;

export async function startFakeElasticsearch(admin: { user: string; password: string }) {
  const roles = new Map<string, Role>();
  const users = new Map<string, User>();
  const documents = new Map<string, unknown[]>();
  const requests: { method: string; path: string; user: string | null }[] = [];

  function signedIn(header: string | undefined): string | null {
    const match = /^Basic (.+)$/.exec(header ?? "");
    if (!match) return null;
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const [name, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (name === admin.user && password === admin.password) return name;
    return users.get(name)?.password === password ? name : null;
  }

  /** Elasticsearch index patterns: `*` matches any run of characters. */
  function covers(pattern: string, index: string) {
    const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return regex.test(index);
  }

  function mayUseIndex(user: string, index: string) {
    if (user === admin.user) return true;
    return (users.get(user)?.roles ?? []).some((name) =>
      (roles.get(name)?.indices ?? []).some((entry) => entry.privileges.includes("all") && entry.names.some((pattern) => covers(pattern, index))),
    );
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://elasticsearch");
    const method = req.method ?? "GET";
    const reply = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const user = signedIn(req.headers.authorization);
      requests.push({ method, path: url.pathname, user });
      if (!user) return reply(401, { error: { type: "security_exception", reason: "unable to authenticate user for REST request" }, status: 401 });
      let body: Record<string, unknown> | undefined;
      if (chunks.length > 0) {
        if (!/^application\/json/.test(req.headers["content-type"] ?? "")) return reply(406, { error: "Content-Type header is not supported", status: 406 });
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          return reply(400, { error: { type: "parse_exception", reason: "request body is not JSON" }, status: 400 });
        }
      }

      const security = /^\/_security\/(role|user)\/([^/]+)$/.exec(url.pathname);
      if (security) {
        const [, what, encoded] = security;
        const name = decodeURIComponent(encoded!);
        if (user !== admin.user) {
          return reply(403, { error: { type: "security_exception", reason: `action [cluster:admin/xpack/security/${what}/put] is unauthorized for user [${user}]` }, status: 403 });
        }
        if (!NAME.test(name)) return reply(400, { error: { type: "validation_exception", reason: `invalid ${what} name [${name}]` }, status: 400 });
        const store = what === "role" ? roles : users;
        if (method === "DELETE") {
          const found = store.delete(name);
          return reply(found ? 200 : 404, { found });
        }
        if (method !== "PUT" && method !== "POST") return reply(405, { error: `Incorrect HTTP method for uri [${url.pathname}] and method [${method}]`, status: 405 });
        if (what === "role") {
          const indices = body?.indices;
          const isValid =
            Array.isArray(indices) &&
            indices.every(
              (entry: { names?: unknown; privileges?: unknown }) =>
                Array.isArray(entry.names) && entry.names.length > 0 && entry.names.every((n) => typeof n === "string") &&
                Array.isArray(entry.privileges) && entry.privileges.length > 0 && entry.privileges.every((p) => typeof p === "string"),
            );
          if (!isValid) return reply(400, { error: { type: "parse_exception", reason: "failed to parse indices privileges" }, status: 400 });
          const created = !roles.has(name);
          roles.set(name, { indices: indices as Role["indices"] });
          return reply(200, { role: { created } });
        }
        const password = body?.password;
        const userRoles = body?.roles;
        if (!Array.isArray(userRoles) || !userRoles.every((role) => typeof role === "string")) {
          return reply(400, { error: { type: "parse_exception", reason: "[roles] must be an array of strings" }, status: 400 });
        }
        const existing = users.get(name);
        if (password === undefined && !existing) return reply(400, { error: { type: "action_request_validation_exception", reason: "Validation Failed: 1: password must be specified unless you are updating an existing user;" }, status: 400 });
        if (password !== undefined && (typeof password !== "string" || password.length < 6)) {
          return reply(400, { error: { type: "action_request_validation_exception", reason: "Validation Failed: 1: passwords must be at least [6] characters long;" }, status: 400 });
        }
        users.set(name, { password: (password as string | undefined) ?? existing!.password, roles: userRoles as string[] });
        return reply(200, { created: !existing });
      }

      const indexRequest = /^\/([^/_][^/]*)(?:\/(_doc|_search)(?:\/[^/]+)?)?$/.exec(url.pathname);
      if (!indexRequest) return reply(400, { error: { type: "illegal_argument_exception", reason: `no handler for ${method} ${url.pathname}` }, status: 400 });
      const index = decodeURIComponent(indexRequest[1]!);
      if (!mayUseIndex(user, index)) {
        return reply(403, { error: { type: "security_exception", reason: `action [indices:data] is unauthorized for user [${user}] on indices [${index}]` }, status: 403 });
      }
      const docs = documents.get(index) ?? [];
      if (indexRequest[2] === "_doc" && (method === "PUT" || method === "POST")) {
        documents.set(index, [...docs, body]);
        return reply(201, { _index: index, result: "created" });
      }
      if (indexRequest[2] === "_search") return reply(200, { hits: { total: { value: docs.length }, hits: docs.map((source) => ({ _index: index, _source: source })) } });
      if (!indexRequest[2] && method === "PUT") {
        documents.set(index, docs);
        return reply(200, { acknowledged: true, index });
      }
      return reply(400, { error: { type: "illegal_argument_exception", reason: `no handler for ${method} ${url.pathname}` }, status: 400 });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    adminUrl: `http://${encodeURIComponent(admin.user)}:${encodeURIComponent(admin.password)}@127.0.0.1:${port}`,
    roles,
    users,
    requests,
    /** An index request signed in as this user, as elasticsearch-py would make it (http_auth). */
    async asUser(auth: { username: string; password: string }, method: string, path: string, body?: unknown) {
      const response = await fetch(`${origin}${path}`, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
