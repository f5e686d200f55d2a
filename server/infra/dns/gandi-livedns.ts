// Gandi LiveDNS (https://api.gandi.net/docs/livedns/): record sets under /domains/{zone}/records/{name}/{type},
// names relative to the zone (`@` for the apex), authenticated with a personal access token (Bearer).
import { abortedCallReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import { assertInZone, DNS_RECORD_TYPES, type DnsDriver, type DnsRecordSet, type DnsRecordType } from "./driver";

type GandiRecordSet = { rrset_name: string; rrset_type: string; rrset_ttl: number; rrset_values: string[] };

export function createGandiDnsDriver(options: { apiUrl: string; token: string; zone: string; callTimeoutMs?: number }): DnsDriver {
  const { zone } = options;
  const base = options.apiUrl.replace(/\/$/, "");
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;

  function relativeName(fqdn: string) {
    return fqdn === zone ? "@" : fqdn.slice(0, -(zone.length + 1));
  }

  async function request(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    try {
      return await fetch(`${base}/domains/${encodeURIComponent(zone)}/records${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/json",
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: callSignal(signal, callTimeoutMs),
      });
    } catch (error) {
      const stopped = abortedCallReason(error, callTimeoutMs);
      throw stopped ? new Error(`Gandi LiveDNS ${method} ${path || "/"}: stopped, connection reset (${stopped})`) : error;
    }
  }

  async function failure(action: string, response: Response) {
    const text = await response.text().catch(() => "");
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {}
    return new Error(`Gandi LiveDNS ${action}: ${response.status} ${message}`.trim());
  }

  // Gandi stores TXT values with their quotes (the zone-file form); we hand the driver bare strings.
  const toGandi = (type: DnsRecordType, value: string) => (type === "TXT" && !value.startsWith('"') ? JSON.stringify(value) : value);
  const fromGandi = (type: string, value: string) => (type === "TXT" && value.startsWith('"') ? (JSON.parse(value) as string) : value);

  function path(fqdn: string, type: DnsRecordType) {
    return `/${encodeURIComponent(relativeName(fqdn))}/${type}`;
  }

  return {
    name: "gandi",
    zone,
    async ensureRecordSet(recordSet, signal) {
      const fqdn = assertInZone(zone, recordSet.name);
      const existing = await request("GET", path(fqdn, recordSet.type), undefined, signal);
      if (existing.status !== 200 && existing.status !== 404) throw await failure(`read ${recordSet.type} ${fqdn}`, existing);
      await existing.body?.cancel();
      const response = await request(
        "PUT",
        path(fqdn, recordSet.type),
        { rrset_values: recordSet.values.map((v) => toGandi(recordSet.type, v)), rrset_ttl: recordSet.ttl },
        signal,
      );
      if (!response.ok) throw await failure(`set ${recordSet.type} ${fqdn}`, response);
      await response.body?.cancel();
      return { isNew: existing.status === 404 };
    },
    async removeRecordSet(name, type, signal) {
      const fqdn = assertInZone(zone, name);
      const response = await request("DELETE", path(fqdn, type), undefined, signal);
      if (response.status === 404) return { existed: false };
      if (!response.ok) throw await failure(`delete ${type} ${fqdn}`, response);
      await response.body?.cancel();
      return { existed: true };
    },
    async listRecordSets(signal) {
      const response = await request("GET", "", undefined, signal);
      if (!response.ok) throw await failure("list records", response);
      const rows = (await response.json()) as GandiRecordSet[];
      return rows
        .filter((row): row is GandiRecordSet & { rrset_type: DnsRecordType } => (DNS_RECORD_TYPES as readonly string[]).includes(row.rrset_type))
        .map(
          (row): DnsRecordSet => ({
            name: row.rrset_name === "@" ? zone : `${row.rrset_name}.${zone}`,
            type: row.rrset_type,
            values: row.rrset_values.map((v) => fromGandi(row.rrset_type, v)),
            ttl: row.rrset_ttl,
          }),
        );
    },
  };
}
