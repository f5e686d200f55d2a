// A real DNS server on loopback (UDP, dns2) answering from records the test controls: in memory, or read
// from a JSON file on every query (the e2e suite's server runs in another process than the tests).
import { readFileSync } from "node:fs";
import dns2 from "dns2";

export type DnsRecords = Record<string, { A?: string[]; CNAME?: string; TXT?: string[] }>;

const { Packet } = dns2;

export async function startDnsServer(options: { records?: DnsRecords; recordsFile?: string } = {}) {
  const records: DnsRecords = options.records ?? {};
  const current = (): DnsRecords => {
    if (!options.recordsFile) return records;
    try {
      return JSON.parse(readFileSync(options.recordsFile, "utf8")) as DnsRecords;
    } catch {
      return {};
    }
  };
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions as (dns2.DnsQuestion & { type: number })[];
      const name = question!.name.toLowerCase().replace(/\.$/, "");
      const entry = current()[name];
      const base = { name: question!.name, class: Packet.CLASS.IN, ttl: 1 };
      if (entry?.CNAME && (question!.type === Packet.TYPE.CNAME || question!.type === Packet.TYPE.A)) {
        response.answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME });
      } else if (question!.type === Packet.TYPE.A) {
        for (const address of entry?.A ?? []) response.answers.push({ ...base, type: Packet.TYPE.A, address });
      } else if (question!.type === Packet.TYPE.TXT) {
        for (const data of entry?.TXT ?? []) response.answers.push({ ...base, type: Packet.TYPE.TXT, data });
      }
      send(response);
    },
  });
  await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = server.addresses().udp!.port;
  return { address: `127.0.0.1:${port}`, records, close: () => server.close() };
}
