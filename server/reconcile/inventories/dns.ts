// DNS records. Instance names carry no resource prefix (they are the client's subdomain), so "ours" is what
// publish_dns makes: an A record for `<sub>.<base>` (which covers `studio-<sub>.<base>` and the other one-label names), or a nested
// `studio|preview|apps.<sub>.<base>` of an instance not yet moved to them, that points at this
// portal's ingress address and nothing else. The zone's other records (the portal's own, mail, the apex, a
// wildcard) never match, so reconcile cannot remove them.
import { isEntryOf } from "@/server/instances/ledger-entry";
import type { InventoryFactory } from "../inventory";

export const dnsInventories: InventoryFactory = ({ dns }, env) => {
  const base = env.LYCEUM_BASE_DOMAIN.replace(/\./g, "\\.");
  const instanceName = new RegExp(`^((studio|preview|apps)\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?\\.${base}$`);
  const isOurs = (externalId: string) => {
    const [name, type] = externalId.split(" ");
    return type === "A" && instanceName.test(name ?? "");
  };
  return [
    {
      kind: "dns.record",
      isOurs,
      isCompared: (entry) => isEntryOf(entry, "dns.record") && entry.details.driver === dns.name && isOurs(entry.externalId),
      list: async (signal) =>
        (await dns.listRecordSets(signal))
          .filter((set) => set.type === "A" && set.values.length === 1 && set.values[0] === env.LYCEUM_INGRESS_IPV4)
          .map((set) => `${set.name} ${set.type}`)
          .filter(isOurs),
      remove: async (externalId, signal) => {
        const [name] = externalId.split(" ");
        await dns.removeRecordSet(name!, "A", signal);
      },
    },
  ];
};
