// MongoDB databases and users named `<prefix>_<resource key>` (server/instances/resource-names.ts), when a cluster
// is configured. A database shows up only once written to, so a ledger entry without one is no ghost.
import type { InventoryFactory } from "../inventory";
import { prefixedName } from "../inventory";

export const mongodbInventories: InventoryFactory = ({ mongodb }, env) => {
  if (!mongodb) return null;
  const prefix = env.LYCEUM_RESOURCE_PREFIX;
  const names = prefixedName(prefix, "_", false);
  // Each user is defined in its own database; the listing says which, for the removal.
  const databaseOfUser = new Map<string, string>();
  return [
    {
      kind: "mongodb.database",
      isOurs: names.matches,
      isCompared: () => false,
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await mongodb.listDatabases(`${prefix}_`, signal)).filter(names.matches),
      remove: async (name, signal) => mongodb.dropDatabase(name, signal),
    },
    {
      kind: "mongodb.user",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      async list(signal) {
        const users = (await mongodb.listUsers(`${prefix}_`, signal)).filter((entry) => names.matches(entry.user));
        for (const entry of users) databaseOfUser.set(entry.user, entry.database);
        return users.map((entry) => entry.user);
      },
      remove: async (name, signal) => void (await mongodb.dropUser(databaseOfUser.get(name) ?? name, name, signal)),
    },
  ];
};
