// The bucket keys' principals (IAM users `<prefix>-<resource key>` under Lyceum's IAM path) and their access keys,
// where the key issuer has principals. A key's id carries no name: it is Lyceum's when its user is.
import type { InventoryFactory } from "../inventory";
import { prefixedName } from "../inventory";

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

export const bucketKeyInventories: InventoryFactory = ({ objectStorage: { keys } }, env) => {
  const listPrincipals = keys.listPrincipals?.bind(keys);
  if (!keys.hasPrincipals || !listPrincipals) return null;
  const names = prefixedName(env.LYCEUM_RESOURCE_PREFIX, "-", false);
  const principalOfKey = new Map<string, string>();
  const isThisIssuers = (entry: { details: Record<string, unknown> }) => entry.details.issuer === keys.name;
  return [
    {
      kind: "s3.principal",
      isOurs: names.matches,
      isCompared: (entry) => isThisIssuers(entry) && names.matches(entry.externalId),
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await listPrincipals(signal)).filter(names.matches),
      async remove(principal, signal) {
        // IAM refuses to delete a user that still has keys.
        for (const id of await keys.listKeys(principal, signal)) await keys.deleteKey(principal, id, signal);
        await keys.deletePrincipal(principal, signal);
      },
    },
    {
      kind: "s3.access_key",
      // An id alone says nothing of its owner: only keys of the portal's principals are ever listed, and clean-up
      // removes a key only while a fresh listing still shows it.
      isOurs: (id) => ACCESS_KEY_ID.test(id),
      isCompared: isThisIssuers,
      resourceKeyOf: (id) => names.resourceKeyOf(principalOfKey.get(id) ?? ""),
      async list(signal) {
        principalOfKey.clear();
        for (const principal of (await listPrincipals(signal)).filter(names.matches)) {
          for (const id of await keys.listKeys(principal, signal)) principalOfKey.set(id, principal);
        }
        return [...principalOfKey.keys()];
      },
      async remove(id, signal) {
        const principal = principalOfKey.get(id);
        if (principal) await keys.deleteKey(principal, id, signal);
      },
    },
  ];
};
