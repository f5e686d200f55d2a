// RabbitMQ vhosts and users named `<prefix>_<resource key>`.
import type { InventoryFactory } from "../inventory";
import { prefixedName } from "../inventory";

export const rabbitmqInventories: InventoryFactory = ({ rabbitmq }, env) => {
  const names = prefixedName(env.LYCEUM_RESOURCE_PREFIX, "_", false);
  return [
    {
      kind: "rabbitmq.vhost",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await rabbitmq.listVhosts(signal)).filter(names.matches),
      remove: async (name, signal) => void (await rabbitmq.deleteVhost(name, signal)),
    },
    {
      kind: "rabbitmq.user",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await rabbitmq.listUsers(signal)).filter(names.matches),
      remove: async (name, signal) => void (await rabbitmq.deleteUser(name, signal)),
    },
  ];
};
