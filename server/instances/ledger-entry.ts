// Narrowing a ledger entry by its kind, apart from the kinds' schemas (./ledger-kinds.ts) so that client components
// (the instance page's resource list) can use it without bundling the schemas or what they import.
import type { LedgerDetails, LedgerKind } from "./ledger-kinds";

/**
 * Whether an entry (a whole row or some of its columns, details included) is of `kind`; narrows its details to
 * that kind's. Sound because details are checked against their kind when recorded (./ledger.ts).
 */
export function isEntryOf<K extends LedgerKind, E extends { kind: LedgerKind; details: LedgerDetails }>(
  entry: E,
  kind: K,
): entry is E & { kind: K; details: LedgerDetails<K> } {
  return entry.kind === kind;
}
