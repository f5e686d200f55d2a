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
      list: async () => (await mysql.listDatabases(`${prefix}_`)).filter(names.matches),
      remove: async (name) => void (await mysql.dropDatabase(name)),
    },
    {
      kind: "mysql.user",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      list: async () => (await mysql.listUsers(`${prefix}_`)).filter(names.matches),
      remove: async (name) => void (await mysql.dropUser(name)),
    },
  ];
};
