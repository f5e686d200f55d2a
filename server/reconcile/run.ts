// Reconcile: compare every backend's resources (under Lyceum's prefix) with the live ledger entries of all
// instances → orphans (exist, no live entry owns them) and ghosts (live entry, resource gone). A backend that
// cannot be listed is reported as an error and compared with nothing, so an outage never reads as "all gone".
import { and, desc, eq, inArray, isNull, lt, notInArray } from "drizzle-orm";
import type { Database } from "@/db";
import {
  deployments,
  instanceOperations,
  instanceResources,
  instances,
  reconcileReports,
  type ReconcileGhost,
  type ReconcileOrphan,
  type ReconcileReport,
} from "@/db/schema";
import type { Env } from "@/server/env";
import type { Infrastructure } from "@/server/infra";
import type { LedgerEntry } from "@/server/instances/ledger";
import type { LedgerKind } from "@/server/instances/ledger-kinds";
import { truncateErrorText } from "@/server/observability/error-text";
import { INVENTORY_FACTORIES } from "./inventories";
import type { ResourceInventory } from "./inventory";

/** How many reports are kept (the newest). */
const KEPT_REPORTS = 30;

export function resourceInventories(infra: Infrastructure, env: Env): ResourceInventory[] {
  return INVENTORY_FACTORIES.flatMap((factory) => factory(infra, env) ?? []);
}

type LiveEntry = Pick<LedgerEntry, "id" | "instanceId" | "kind" | "externalId" | "details">;

/** Ledger entries still live, of these kinds. */
export async function liveLedgerEntries(db: Database, kinds: LedgerKind[]): Promise<LiveEntry[]> {
  if (kinds.length === 0) return [];
  return db
    .select({
      id: instanceResources.id,
      instanceId: instanceResources.instanceId,
      kind: instanceResources.kind,
      externalId: instanceResources.externalId,
      details: instanceResources.details,
    })
    .from(instanceResources)
    .where(and(isNull(instanceResources.deletedAt), inArray(instanceResources.kind, kinds)));
}

/** Instances with an operation under way: their ledger and resources may be a step apart right now. */
export async function busyInstanceIds(db: Database): Promise<Set<string>> {
  const rows = await db
    .select({ instanceId: instanceOperations.instanceId })
    .from(instanceOperations)
    .where(inArray(instanceOperations.status, ["queued", "running"]));
  return new Set(rows.map((row) => row.instanceId));
}

/** The instance a resource belonged to, from the resource key in its name or the deployment behind a server. */
export async function ownerOf(db: Database, inventory: ResourceInventory, externalId: string) {
  const [byServer] = await db
    .select({ id: instances.id, subdomain: instances.subdomain, status: instances.status })
    .from(deployments)
    .innerJoin(instances, eq(instances.id, deployments.instanceId))
    .where(eq(deployments.serverId, externalId))
    .limit(1);
  if (byServer) return byServer;
  const resourceKey = inventory.resourceKeyOf?.(externalId);
  if (!resourceKey) return null;
  const [byKey] = await db
    .select({ id: instances.id, subdomain: instances.subdomain, status: instances.status })
    .from(instances)
    .where(eq(instances.resourceKey, resourceKey))
    .limit(1);
  return byKey ?? null;
}

export async function reconcileResources(
  db: Database,
  infra: Infrastructure,
  env: Env,
  options: { trigger: ReconcileReport["trigger"]; requestedBy?: string | null; signal?: AbortSignal },
): Promise<ReconcileReport> {
  const [report] = await db.insert(reconcileReports).values({ trigger: options.trigger, requestedBy: options.requestedBy ?? null }).returning();
  const inventories = resourceInventories(infra, env);
  const counts: { kind: string; count: number }[] = [];
  const orphans: ReconcileOrphan[] = [];
  const ghosts: ReconcileGhost[] = [];
  const errors: { kind: string; message: string }[] = [];
  // Read the ledger after listing the backends: an entry recorded meanwhile (steps record before creating)
  // then still counts, so a resource made during the run is not taken for an orphan.
  const listed = new Map<LedgerKind, string[]>();
  for (const inventory of inventories) {
    try {
      listed.set(inventory.kind, await inventory.list(options.signal));
    } catch (error) {
      errors.push({ kind: inventory.kind, message: truncateErrorText((error as Error).message) });
    }
  }
  const entries = await liveLedgerEntries(db, [...listed.keys()]);
  const busy = await busyInstanceIds(db);
  for (const inventory of inventories) {
    const existing = listed.get(inventory.kind);
    if (!existing) continue;
    counts.push({ kind: inventory.kind, count: existing.length });
    const ofKind = entries.filter((entry) => entry.kind === inventory.kind);
    const owned = new Set(ofKind.map((entry) => entry.externalId));
    for (const externalId of existing.filter((name) => !owned.has(name)).sort()) {
      const owner = await ownerOf(db, inventory, externalId);
      const note = !owner
        ? "no instance carries its name"
        : `belonged to ${owner.subdomain ?? owner.id} (${owner.status}), whose ledger no longer lists it${busy.has(owner.id) ? "; an operation is under way on it" : ""}`;
      orphans.push({ kind: inventory.kind, externalId, instanceId: owner?.id ?? null, note });
    }
    const present = new Set(existing);
    const compared = ofKind.filter((entry) => (inventory.isCompared ? inventory.isCompared(entry) : inventory.isOurs(entry.externalId)));
    for (const entry of compared) {
      if (present.has(entry.externalId) || busy.has(entry.instanceId)) continue;
      ghosts.push({ kind: entry.kind, externalId: entry.externalId, instanceId: entry.instanceId, entryId: entry.id });
    }
  }
  const [finished] = await db
    .update(reconcileReports)
    .set({ finishedAt: new Date(), inventories: counts, orphans, ghosts, errors })
    .where(eq(reconcileReports.id, report!.id))
    .returning();
  await pruneOldReports(db);
  return finished!;
}

async function pruneOldReports(db: Database) {
  const kept = await db.select({ id: reconcileReports.id }).from(reconcileReports).orderBy(desc(reconcileReports.startedAt)).limit(KEPT_REPORTS);
  if (kept.length < KEPT_REPORTS) return;
  const oldestKept = await db.query.reconcileReports.findFirst({ where: eq(reconcileReports.id, kept.at(-1)!.id) });
  await db
    .delete(reconcileReports)
    .where(and(lt(reconcileReports.startedAt, oldestKept!.startedAt), notInArray(reconcileReports.id, kept.map((row) => row.id))));
}

export async function latestReconcileReport(db: Database) {
  return (await db.query.reconcileReports.findFirst({ orderBy: desc(reconcileReports.startedAt) })) ?? null;
}
