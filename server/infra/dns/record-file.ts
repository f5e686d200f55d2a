// Record sets kept in a JSON file: the local driver's whole state, and the challtestsrv driver's listing
// (challtestsrv has no way to list what it serves).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DnsRecordSet, DnsRecordType } from "./driver";

export function recordFile(stateDir: string, zone: string) {
  const file = path.join(stateDir, "dns", `${zone}.json`);

  function read(): DnsRecordSet[] {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as DnsRecordSet[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new Error(`cannot read the local DNS records in ${file}: ${(error as Error).message}`);
    }
  }

  function write(recordSets: DnsRecordSet[]) {
    mkdirSync(path.dirname(file), { recursive: true });
    // Write-then-rename, so a reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(recordSets, null, 2)}\n`);
    renameSync(temporary, file);
  }

  return {
    file,
    list: read,
    put(recordSet: DnsRecordSet) {
      const all = read();
      const others = all.filter((r) => !(r.name === recordSet.name && r.type === recordSet.type));
      write([...others, recordSet]);
      return { isNew: others.length === all.length };
    },
    remove(name: string, type: DnsRecordType) {
      const all = read();
      const others = all.filter((r) => !(r.name === name && r.type === type));
      if (others.length !== all.length) write(others);
      return { existed: others.length !== all.length };
    },
  };
}
