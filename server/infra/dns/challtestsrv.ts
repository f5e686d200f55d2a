// pebble-challtestsrv as a DNS server: real answers for Pebble's validation (tests, and optionally dev).
// Its management API (https://github.com/letsencrypt/pebble/tree/main/cmd/pebble-challtestsrv) can set and
// clear A and TXT records but not list them, so the record sets are also kept in a file for listing.
import { assertInZone, type DnsDriver, type DnsRecordType } from "./driver";
import { recordFile } from "./record-file";

export function createChalltestsrvDnsDriver(options: { managementUrl: string; stateDir: string; zone: string }): DnsDriver {
  const { zone } = options;
  const records = recordFile(options.stateDir, `challtestsrv-${zone}`);

  async function call(path: string, body: Record<string, unknown>, signal?: AbortSignal) {
    const response = await fetch(new URL(path, options.managementUrl), { method: "POST", body: JSON.stringify(body), signal });
    if (!response.ok) throw new Error(`pebble-challtestsrv ${path}: ${response.status} ${await response.text()}`);
  }

  async function clear(name: string, type: DnsRecordType, signal?: AbortSignal) {
    if (type === "A") await call("/clear-a", { host: `${name}.` }, signal);
    else if (type === "AAAA") await call("/clear-aaaa", { host: `${name}.` }, signal);
    else if (type === "TXT") await call("/clear-txt", { host: `${name}.` }, signal);
    else throw new Error(`pebble-challtestsrv cannot serve ${type} records`);
  }

  return {
    name: "challtestsrv",
    zone,
    async ensureRecordSet(recordSet, signal) {
      const name = assertInZone(zone, recordSet.name);
      await clear(name, recordSet.type, signal);
      if (recordSet.type === "A") await call("/add-a", { host: `${name}.`, addresses: recordSet.values }, signal);
      else if (recordSet.type === "AAAA") await call("/add-aaaa", { host: `${name}.`, addresses: recordSet.values }, signal);
      else for (const value of recordSet.values) await call("/set-txt", { host: `${name}.`, value }, signal);
      return records.put({ ...recordSet, name });
    },
    async removeRecordSet(name, type, signal) {
      const fqdn = assertInZone(zone, name);
      await clear(fqdn, type, signal);
      return records.remove(fqdn, type);
    },
    async listRecordSets() {
      return records.list();
    },
  };
}
