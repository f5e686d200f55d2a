// Checks a custom domain's records through a DNS resolver (configurable: LYCEUM_DNS_RESOLVER), and says in
// plain words what is missing or wrong.
import { Resolver } from "node:dns/promises";
import { displayDomain } from "./display";
import type { RequiredRecord } from "./dns-records";

type DomainCheck = { isVerified: true } | { isVerified: false; problems: string[] };

/** A resolver that asks `server` ("host:port" or "host"), or the system's resolvers when it is unset. */
export function makeResolver(server: string | undefined, timeoutMs = 3000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (server) resolver.setServers([server]);
  return resolver;
}

function isNoData(error: unknown) {
  const code = (error as { code?: string }).code;
  return code === "ENODATA" || code === "ENOTFOUND" || code === "ENONAME" || code === "NOTFOUND";
}

const sameName = (a: string, b: string) => a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();

async function lookup<T>(query: () => Promise<T[]>): Promise<T[]> {
  try {
    return await query();
  } catch (error) {
    if (isNoData(error)) return [];
    throw new Error(`the DNS server did not answer (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
}

async function checkRecord(resolver: Resolver, record: RequiredRecord): Promise<string | null> {
  const shown = displayDomain(record.name);
  if (record.type === "TXT") {
    const values = (await lookup(() => resolver.resolveTxt(record.name))).map((chunks) => chunks.join(""));
    if (values.length === 0) return `no TXT record at ${shown}`;
    if (!values.includes(record.value)) return `the TXT record at ${shown} is "${values[0]}", not "${record.value}"`;
    return null;
  }
  const cnames = await lookup(() => resolver.resolveCname(record.name));
  if (cnames.some((name) => sameName(name, record.value))) return null;
  if (cnames.length > 0) return `${shown} points to ${cnames[0]}, not to ${record.value}`;
  const addresses = await lookup(() => resolver.resolve4(record.name));
  if (record.alternativeA && addresses.includes(record.alternativeA)) return null;
  if (addresses.length > 0) return `${shown} has the address ${addresses[0]}, not a CNAME to ${record.value}${record.alternativeA ? ` or the address ${record.alternativeA}` : ""}`;
  return `no CNAME record at ${shown} (it should point to ${record.value})`;
}

export async function checkDomainRecords(resolver: Resolver, records: RequiredRecord[]): Promise<DomainCheck> {
  const problems: string[] = [];
  for (const record of records) {
    const problem = await checkRecord(resolver, record);
    if (problem) problems.push(problem);
  }
  return problems.length === 0 ? { isVerified: true } : { isVerified: false, problems };
}
