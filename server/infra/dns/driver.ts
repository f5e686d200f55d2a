// The DNS capability: record sets in the zone that holds the hosting domain, addressed by fully-qualified name.
export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT"] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export type DnsRecordSet = {
  /** Fully-qualified, lower-case, without the trailing dot: `acme.lyceum.example`, `*.acme.lyceum.example`. */
  name: string;
  type: DnsRecordType;
  values: string[];
  ttl: number;
};

export type DnsDriver = {
  name: "local" | "gandi" | "challtestsrv";
  /** The zone every record set lives in (the hosting domain, or a zone above it). */
  zone: string;
  /** Creates or replaces the record set so that it holds exactly these values. */
  ensureRecordSet(recordSet: DnsRecordSet, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  removeRecordSet(name: string, type: DnsRecordType, signal?: AbortSignal): Promise<{ existed: boolean }>;
  /** Every record set in the zone (for reconcile and for tests). */
  listRecordSets(signal?: AbortSignal): Promise<DnsRecordSet[]>;
};

function normaliseName(name: string) {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Throws unless `name` is the zone or below it: a driver must never touch another zone. */
export function assertInZone(zone: string, name: string) {
  const fqdn = normaliseName(name);
  if (fqdn !== zone && !fqdn.endsWith(`.${zone}`)) throw new Error(`${fqdn} is not in the DNS zone ${zone}`);
  return fqdn;
}
