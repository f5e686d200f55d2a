// One backend's view for reconciling: which resources of one ledger kind exist there, under Lyceum's prefix
// only (nothing without the prefix is ever listed, so nothing foreign is ever touched), and how to remove one.
import type { Env } from "@/server/env";
import type { Infrastructure } from "@/server/infra";
import type { LedgerEntry } from "@/server/instances/ledger";
import type { LedgerKind } from "@/server/instances/ledger-kinds";

export type ResourceInventory = {
  /** The ledger kind these resources are recorded under (instance_resources.kind). */
  kind: LedgerKind;
  /** Whether a name is one Lyceum makes under this portal's prefix (ledger entries outside it are not compared). */
  isOurs(externalId: string): boolean;
  /** Whether a live ledger entry is compared with this backend (default: isOurs of its external id). */
  isCompared?(entry: Pick<LedgerEntry, "kind" | "externalId" | "details">): boolean;
  /** What exists now, filtered with isOurs. */
  list(signal?: AbortSignal): Promise<string[]>;
  /** Removes it; already gone is not an error. */
  remove(externalId: string, signal?: AbortSignal): Promise<void>;
  /** The resource key the name carries (instances.resource_key), to name the instance it belonged to. */
  resourceKeyOf?(externalId: string): string | null;
};

/** Makes the inventories of one backend (a file in ./inventories); null when that backend is not configured. */
export type InventoryFactory = (infra: Infrastructure, env: Env) => ResourceInventory[] | null;

/** A name that is `<prefix><separator><12-character resource key>`, optionally followed by `_<suffix>`. */
export function prefixedName(prefix: string, separator: "_" | "-", hasSuffix: boolean) {
  const pattern = new RegExp(`^${prefix}${separator}([a-z0-9]{12})${hasSuffix ? "_[a-z0-9_]+" : ""}$`);
  return {
    matches: (name: string) => pattern.test(name),
    resourceKeyOf: (name: string) => pattern.exec(name)?.[1] ?? null,
  };
}
