// A loopback Consul agent with the KV endpoint as https://developer.hashicorp.com/consul/api-docs/kv
// describes it: /v1/kv/<key>, the ACL token in X-Consul-Token (403 without it), PUT with the raw value as the
// body answering `true`/`false`, ?cas=<ModifyIndex> (0: only if absent), GET answering a JSON array with
// base64 values and X-Consul-Index, ?raw, ?keys (a prefix listing), ?index=&wait= blocking queries, 404 for
// a missing key. Anything else is a 400, so the client under test must speak the real API.
import http from "node:http";
import type { AddressInfo } from "node:net";

type Entry = { value: Buffer; createIndex: number; modifyIndex: number };

export async function startFakeConsul(token: string) {
  const kv = new Map<string, Entry>();
  const requests: { method: string; key: string; query: Record<string, string> }[] = [];
  let index = 1;
  const waiters = new Set<() => void>();

  function parseWait(wait: string | undefined) {
    const match = /^(\d+)(ms|s|m)$/.exec(wait ?? "5m");
    if (!match) return null;
    return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as "ms" | "s" | "m"];
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://consul");
    const fail = (status: number, text: string) => res.writeHead(status, { "content-type": "text/plain" }).end(text);
    if (!url.pathname.startsWith("/v1/kv/")) return fail(404, "unknown endpoint");
    if (req.headers["x-consul-token"] !== token) return fail(403, "Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'key:write'");
    const key = decodeURIComponent(url.pathname.slice("/v1/kv/".length));
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? "", key, query });
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method === "PUT") {
        if (query.cas !== undefined && !/^\d+$/.test(query.cas)) return fail(400, "Invalid CAS index");
        const existing = kv.get(key);
        if (query.cas !== undefined) {
          const cas = Number(query.cas);
          const isMatch = cas === 0 ? !existing : existing?.modifyIndex === cas;
          if (!isMatch) return res.writeHead(200, { "content-type": "application/json" }).end("false");
        }
        index += 1;
        kv.set(key, { value: Buffer.concat(chunks), createIndex: existing?.createIndex ?? index, modifyIndex: index });
        for (const wake of waiters) wake();
        return res.writeHead(200, { "content-type": "application/json" }).end("true");
      }
      if (req.method !== "GET") return fail(405, "method not allowed");
      const answer = () => {
        if (query.keys !== undefined) {
          const keys = [...kv.keys()].filter((candidate) => candidate.startsWith(key)).sort();
          if (!keys.length) return res.writeHead(404, { "x-consul-index": String(index) }).end();
          return res.writeHead(200, { "content-type": "application/json", "x-consul-index": String(index) }).end(JSON.stringify(keys));
        }
        const entry = kv.get(key);
        if (!entry) return res.writeHead(404, { "x-consul-index": String(index) }).end();
        if (query.raw !== undefined) return res.writeHead(200, { "x-consul-index": String(entry.modifyIndex) }).end(entry.value);
        const body = [{ LockIndex: 0, Key: key, Flags: 0, Value: entry.value.toString("base64"), CreateIndex: entry.createIndex, ModifyIndex: entry.modifyIndex }];
        res.writeHead(200, { "content-type": "application/json", "x-consul-index": String(entry.modifyIndex) }).end(JSON.stringify(body));
      };
      if (query.index === undefined) return answer();
      // A blocking query: answer once the key's index moves past the one given, or when the wait is over.
      if (!/^\d+$/.test(query.index)) return fail(400, "Invalid index");
      const waitMs = parseWait(query.wait);
      if (waitMs === null) return fail(400, "Invalid wait time");
      const since = Number(query.index);
      if ((kv.get(key)?.modifyIndex ?? 0) > since) return answer();
      const wake = () => {
        if ((kv.get(key)?.modifyIndex ?? 0) <= since) return;
        waiters.delete(wake);
        clearTimeout(timer);
        answer();
      };
      const timer = setTimeout(() => (waiters.delete(wake), answer()), waitMs);
      waiters.add(wake);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    kv,
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
