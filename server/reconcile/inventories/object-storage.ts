// S3 buckets named `<prefix>-<resource key>` (the platform's own assets bucket does not match).
import type { InventoryFactory } from "../inventory";
import { prefixedName } from "../inventory";

export const objectStorageInventories: InventoryFactory = ({ objectStorage }, env) => {
  const names = prefixedName(env.LYCEUM_RESOURCE_PREFIX, "-", false);
  return [
    {
      kind: "s3.bucket",
      isOurs: names.matches,
      resourceKeyOf: names.resourceKeyOf,
      list: async (signal) => (await objectStorage.listBuckets(signal)).filter(names.matches),
      // Versions, delete markers and unfinished uploads first: an orphan bucket is rarely empty.
      remove: async (name, signal) => void (await objectStorage.deleteBucket(name, signal)),
    },
  ];
};
