// Removes exactly the orphans a reconcile report lists, each only after checking again that it still exists,
// that still no live ledger entry owns it, and that no operation is under way on the instance it belonged to.
import { eq } from "drizzle-orm";
import type { Database } from "@/db";
import { reconcileReports, type ReconcileCleanupResult } from "@/db/schema";
import type { Env } from "@/server/env";
import type { Infrastructure } from "@/server/infra";
import { isLedgerKind, type LedgerKind } from "@/server/instances/ledger-kinds";
import { busyInstanceIds, liveLedgerEntries, ownerOf, resourceInventories } from "./run";

export async function cleanUpOrphans(db: Database, infra: Infrastructure, env: Env, reportId: string, signal?: AbortSignal) {
  const report = await db.query.reconcileReports.findFirst({ where: eq(reconcileReports.id, reportId) });
  if (!report) throw new Error(`reconcile report ${reportId} does not exist`);
  const inventories = new Map(resourceInventories(infra, env).map((inventory) => [inventory.kind, inventory]));
  const results: ReconcileCleanupResult[] = [];
  const listed = new Map<LedgerKind, Set<string>>();
  for (const orphan of report.orphans) {
    const result = (outcome: ReconcileCleanupResult["outcome"], detail: string) =>
      results.push({ kind: orphan.kind, externalId: orphan.externalId, outcome, detail });
    const inventory = isLedgerKind(orphan.kind) ? inventories.get(orphan.kind) : undefined;
    if (!inventory) {
      result("skipped", `no inventory for ${orphan.kind} is configured now`);
      continue;
    }
    if (!inventory.isOurs(orphan.externalId)) {
      result("skipped", "its name is not under this portal's prefix");
      continue;
    }
    try {
      if (!listed.has(inventory.kind)) listed.set(inventory.kind, new Set(await inventory.list(signal)));
      if (!listed.get(inventory.kind)!.has(orphan.externalId)) {
        result("skipped", "already gone");
        continue;
      }
      const owners = (await liveLedgerEntries(db, [inventory.kind])).filter((entry) => entry.externalId === orphan.externalId);
      if (owners.length > 0) {
        result("skipped", `the ledger of instance ${owners[0]!.instanceId} records it now`);
        continue;
      }
      const owner = await ownerOf(db, inventory, orphan.externalId);
      if (owner && (await busyInstanceIds(db)).has(owner.id)) {
        result("skipped", `an operation is under way on ${owner.subdomain ?? owner.id}; run reconcile again after it`);
        continue;
      }
      await inventory.remove(orphan.externalId, signal);
      result("removed", "removed");
    } catch (error) {
      result("failed", (error as Error).message);
    }
  }
  await db.update(reconcileReports).set({ cleanupFinishedAt: new Date(), cleanup: results }).where(eq(reconcileReports.id, reportId));
  return results;
}
