// DNS for `*.localhost`: browsers resolve every such name to loopback, so nothing needs serving; the records
// are kept in a file under LYCEUM_STATE_DIR so that publication, listing and teardown are still real.
import { assertInZone, type DnsDriver } from "./driver";
import { recordFile } from "./record-file";

export function createLocalDnsDriver(stateDir: string, zone: string): DnsDriver {
  if (zone !== "localhost" && !zone.endsWith(".localhost")) {
    throw new Error(`the local DNS driver serves *.localhost only, not ${zone}: set DNS_DRIVER=gandi for a real zone`);
  }
  const records = recordFile(stateDir, zone);
  return {
    name: "local",
    zone,
    async ensureRecordSet(recordSet) {
      return records.put({ ...recordSet, name: assertInZone(zone, recordSet.name) });
    },
    async removeRecordSet(name, type) {
      return records.remove(assertInZone(zone, name), type);
    },
    async listRecordSets() {
      return records.list();
    },
  };
}
