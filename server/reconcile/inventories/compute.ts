// Application servers. The compute driver lists only the servers it made for this portal (the local driver:
// those in its state directory; a cloud driver: those carrying the portal's prefix), so every one it lists is
// ours; ledger entries of another driver are not compared.
import { isEntryOf } from "@/server/instances/ledger-entry";
import type { InventoryFactory } from "../inventory";

export const computeInventories: InventoryFactory = ({ compute }) => [
  {
    kind: "compute.server",
    isOurs: () => true,
    isCompared: (entry) => isEntryOf(entry, "compute.server") && entry.details.driver === compute.name,
    list: async (signal) => (await compute.listServers(signal)).map((server) => server.serverId),
    remove: (serverId, signal) => compute.destroyServer(serverId, signal),
  },
  // Instances' services servers (memcached, Elasticsearch), on drivers that make them.
  ...(compute.listServicesServers
    ? [
        {
          kind: "compute.services_server" as const,
          isOurs: () => true,
          isCompared: (entry: Parameters<typeof isEntryOf>[0]) => isEntryOf(entry, "compute.services_server") && entry.details.driver === compute.name,
          list: async () => (await compute.listServicesServers!()).map((server) => server.serverId),
          remove: (serverId: string) => compute.destroyServer(serverId),
        },
      ]
    : []),
];
