// Teardown's half of the ledger: remove what it recorded, newest first, marking each entry deleted as it goes.
import type { LedgerEntry } from "@/server/instances/ledger";
import type { LedgerKind } from "@/server/instances/ledger-kinds";
import { instanceResourceNames } from "@/server/instances/resource-names";
import type { StepContext } from "../runner/types";

export function resourceNamesOf(ctx: StepContext) {
  return instanceResourceNames(ctx.instance, ctx.env.LYCEUM_RESOURCE_PREFIX);
}

/**
 * Walks the live ledger entries of this kind backwards (newest first) and removes each one; `remove` says
 * whether the resource still existed. Each entry is marked deleted right after its resource is gone, so a
 * retried teardown picks up where this one stopped.
 */
export async function removeRecorded<K extends LedgerKind>(
  ctx: StepContext,
  kind: K,
  remove: (entry: LedgerEntry<K>) => Promise<{ existed: boolean }>,
) {
  const entries = await ctx.ledger.list(kind);
  let removed = 0;
  for (const entry of entries) {
    ctx.signal.throwIfAborted();
    const { existed } = await remove(entry);
    await ctx.ledger.markDeleted(entry.id);
    if (existed) removed++;
    else await ctx.log(`${entry.kind} ${entry.externalId} was already gone.`, "debug");
  }
  return { total: entries.length, removed, alreadyGone: entries.length - removed };
}

/** "created 5 of 7 databases (2 already existed)", "all 7 databases already existed", "created 7 databases". */
export function countCreated(created: number, total: number, noun: string) {
  const nouns = `${noun}${total === 1 ? "" : "s"}`;
  if (created === total) return `created ${total} ${nouns}`;
  if (created === 0) return total === 1 ? `the ${noun} already existed` : `all ${total} ${nouns} already existed`;
  return `created ${created} of ${total} ${nouns} (${total - created} already existed)`;
}

export function countRemoved(result: { total: number; removed: number; alreadyGone: number }, noun: string) {
  if (result.total === 0) return `no ${noun} was recorded`;
  return `removed ${result.removed} ${noun}${result.removed === 1 ? "" : "s"}${result.alreadyGone ? ` (${result.alreadyGone} already gone)` : ""}`;
}
