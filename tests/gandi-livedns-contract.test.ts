// The Gandi LiveDNS driver against a loopback server that holds the API to what Gandi documents
// (https://api.gandi.net/docs/livedns/): Bearer personal access token, record paths relative to the zone,
// PUT bodies of exactly {rrset_values, rrset_ttl}, TXT values quoted, 201/204/404 answers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGandiDnsDriver } from "@/server/infra/dns/gandi-livedns";

const TOKEN = "pat_0123456789abcdef";
type Rrset = { rrset_name: string; rrset_type: string; rrset_ttl: number; rrset_values: string[] };
const zones = new Map<string, Map<string, Rrset>>([["lyceum.example", new Map()]]);
const seen: { method: string; path: string; body: unknown }[] = [];
let server: http.Server;
let apiUrl: string;

function reply(res: http.ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" }).end(body === undefined ? undefined : JSON.stringify(body));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      seen.push({ method: req.method!, path: req.url!, body });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(res, 403, { code: 403, message: "Access was denied to this resource.", object: "HTTPForbidden", cause: "Forbidden" });
      const match = /^\/v5\/livedns\/domains\/([^/]+)\/records(?:\/([^/]+)\/([A-Z]+))?$/.exec(req.url!);
      const zone = match && zones.get(decodeURIComponent(match[1]!));
      if (!match || !zone) return reply(res, 404, { code: 404, message: "The resource could not be found.", object: "HTTPNotFound", cause: "Not Found" });
      const [, , name, type] = match;
      if (!name) return req.method === "GET" ? reply(res, 200, [...zone.values()]) : reply(res, 405, { message: "Method not allowed" });
      const key = `${decodeURIComponent(name)} ${type}`;
      if (req.method === "GET") return zone.has(key) ? reply(res, 200, zone.get(key)) : reply(res, 404, { code: 404, message: "Can't find the DNS record" });
      if (req.method === "DELETE") return zone.delete(key) ? reply(res, 204) : reply(res, 404, { code: 404, message: "Can't find the DNS record" });
      if (req.method === "PUT") {
        const put = body as Record<string, unknown>;
        const keys = Object.keys(put ?? {}).sort();
        if (req.headers["content-type"] !== "application/json" || keys.join() !== "rrset_ttl,rrset_values") return reply(res, 400, { message: `bad body: ${raw}` });
        const values = put.rrset_values as string[];
        if (type === "TXT" && values.some((v) => !v.startsWith('"'))) return reply(res, 400, { message: "TXT values must be quoted" });
        if (typeof put.rrset_ttl !== "number" || put.rrset_ttl < 300) return reply(res, 400, { message: "rrset_ttl must be at least 300" });
        zone.set(key, { rrset_name: decodeURIComponent(name), rrset_type: type!, rrset_ttl: put.rrset_ttl, rrset_values: values });
        return reply(res, 201, { message: "DNS Record Created" });
      }
      reply(res, 405, { message: "Method not allowed" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v5/livedns`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("Gandi LiveDNS driver", () => {
  it("creates, updates, lists and deletes the instance's record sets by their names relative to the zone", async () => {
    const dns = createGandiDnsDriver({ apiUrl, token: TOKEN, zone: "lyceum.example" });
    expect(await dns.ensureRecordSet({ name: "oak.lyceum.example", type: "A", values: ["203.0.113.10"], ttl: 300 })).toEqual({ isNew: true });
    expect(await dns.ensureRecordSet({ name: "Oak.Lyceum.Example.", type: "A", values: ["203.0.113.11"], ttl: 600 })).toEqual({ isNew: false });
    await dns.ensureRecordSet({ name: "_acme-challenge.oak.lyceum.example", type: "TXT", values: ["key-auth-digest"], ttl: 300 });
    expect(seen.filter((r) => r.method === "PUT")).toEqual([
      { method: "PUT", path: "/v5/livedns/domains/lyceum.example/records/oak/A", body: { rrset_values: ["203.0.113.10"], rrset_ttl: 300 } },
      { method: "PUT", path: "/v5/livedns/domains/lyceum.example/records/oak/A", body: { rrset_values: ["203.0.113.11"], rrset_ttl: 600 } },
      { method: "PUT", path: "/v5/livedns/domains/lyceum.example/records/_acme-challenge.oak/TXT", body: { rrset_values: ['"key-auth-digest"'], rrset_ttl: 300 } },
    ]);
    expect(await dns.listRecordSets()).toEqual([
      { name: "oak.lyceum.example", type: "A", values: ["203.0.113.11"], ttl: 600 },
      { name: "_acme-challenge.oak.lyceum.example", type: "TXT", values: ["key-auth-digest"], ttl: 300 },
    ]);
    expect(await dns.removeRecordSet("oak.lyceum.example", "A")).toEqual({ existed: true });
    expect(await dns.removeRecordSet("oak.lyceum.example", "A")).toEqual({ existed: false });
    expect(seen.at(-1)).toMatchObject({ method: "DELETE", path: "/v5/livedns/domains/lyceum.example/records/oak/A" });
    expect((await dns.listRecordSets()).map((r) => r.name)).toEqual(["_acme-challenge.oak.lyceum.example"]);
  });

  it("refuses names outside its zone, and says what Gandi answered when it refuses", async () => {
    const dns = createGandiDnsDriver({ apiUrl, token: TOKEN, zone: "lyceum.example" });
    await expect(dns.ensureRecordSet({ name: "evil.example", type: "A", values: ["203.0.113.1"], ttl: 300 })).rejects.toThrow(
      "evil.example is not in the DNS zone lyceum.example",
    );
    const wrongToken = createGandiDnsDriver({ apiUrl, token: "pat_wrong", zone: "lyceum.example" });
    await expect(wrongToken.ensureRecordSet({ name: "oak.lyceum.example", type: "A", values: ["203.0.113.1"], ttl: 300 })).rejects.toThrow(
      "Gandi LiveDNS read A oak.lyceum.example: 403 Access was denied to this resource.",
    );
    const unknownZone = createGandiDnsDriver({ apiUrl, token: TOKEN, zone: "not-ours.example" });
    await expect(unknownZone.listRecordSets()).rejects.toThrow("Gandi LiveDNS list records: 404 The resource could not be found.");
  });
});
