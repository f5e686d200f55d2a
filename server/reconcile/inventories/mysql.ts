// MySQL databases and users named `<prefix>_<resource key>_<suffix>` (server/instances/resource-names.ts).
import type { InventoryFactory } from "../inventory";
import { prefixedName } from "../inventory";

export const mysqlInventories: InventoryFactory = ({ mysql }, env) => {
  const prefix = env.LYCEUM_RESOURCE_PREFIX;
  const names = prefixedName(prefix, "_", true);
  return [
    {
      kind: "mysql.database",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await mysql.listDatabases(`${prefix}_`, { signal })).filter(names.matches),
      remove: async (name, signal) => void (await mysql.dropDatabase(name, { signal })),
    },
    {
      kind: "mysql.user",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await mysql.listUsers(`${prefix}_`, { signal })).filter(names.matches),
      remove: async (name, signal) => void (await mysql.dropUser(name, { signal })),
    },
  ];
};
