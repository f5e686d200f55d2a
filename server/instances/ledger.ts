// The resource ledger of one instance: what exists for it, so steps can skip work and teardown can undo it.
// Entries are typed by their kind (./ledger-kinds.ts): details are checked against the kind's schema when they are
// recorded and when they are read, so a caller never casts them.
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceResources } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson, encryptJson } from "@/server/crypto/secrets";
import { parseLedgerDetails, parseLedgerSecrets, type LedgerDetails, type LedgerKind, type LedgerSecrets } from "./ledger-kinds";

type LedgerRow = typeof instanceResources.$inferSelect;

/** A ledger entry of kind K, its details of that kind's shape; of any kind when K is the union. */
export type LedgerEntry<K extends LedgerKind = LedgerKind> = Omit<LedgerRow, "kind" | "details"> & { kind: K; details: LedgerDetails<K> };

function describeEntry(entry: Pick<LedgerRow, "instanceId" | "kind" | "externalId">) {
  return `ledger entry ${entry.kind} ${entry.externalId} of instance ${entry.instanceId}`;
}

/** A row read from the table, its details checked against its kind (a row of another shape throws, naming it). */
function ledgerEntryOf<K extends LedgerKind>(row: Omit<LedgerRow, "kind"> & { kind: K }): LedgerEntry<K> {
  return { ...row, details: parseLedgerDetails(row.kind, row.details, describeEntry(row)) };
}

/** The unsealed secrets of an entry, of its kind's shape; null when it has none. */
export function ledgerSecretsOf<K extends LedgerKind>(entry: LedgerEntry<K>): LedgerSecrets<K> | null {
  if (!entry.secrets) return null;
  return parseLedgerSecrets(entry.kind, decryptJson<unknown>(entry.secrets, sealedCells.resourceSecrets(entry)), describeEntry(entry));
}

export function ledgerFor(q: Queryable, instanceId: string) {
  /** Live entries (of a kind), newest first. */
  async function list<K extends LedgerKind = LedgerKind>(kind?: K): Promise<LedgerEntry<K>[]> {
    const rows = await q
      .select()
      .from(instanceResources)
      .where(
        and(
          eq(instanceResources.instanceId, instanceId),
          isNull(instanceResources.deletedAt),
          kind ? eq(instanceResources.kind, kind) : undefined,
        ),
      )
      .orderBy(desc(instanceResources.createdAt), desc(instanceResources.id));
    return rows.filter((row): row is LedgerRow & { kind: K } => !kind || row.kind === kind).map(ledgerEntryOf);
  }

  async function find<K extends LedgerKind>(kind: K, externalId?: string): Promise<LedgerEntry<K> | null> {
    const [row] = await q
      .select()
      .from(instanceResources)
      .where(
        and(
          eq(instanceResources.instanceId, instanceId),
          eq(instanceResources.kind, kind),
          isNull(instanceResources.deletedAt),
          externalId ? eq(instanceResources.externalId, externalId) : undefined,
        ),
      )
      .limit(1);
    return row ? ledgerEntryOf({ ...row, kind }) : null;
  }

  /**
   * Records (or refreshes) a resource. Details of another shape than the kind's (or an unknown kind) are refused
   * before anything is written; secrets are sealed before they reach the database.
   */
  async function record<K extends LedgerKind>(kind: K, externalId: string, details: LedgerDetails<K>, secrets?: LedgerSecrets<K>): Promise<LedgerEntry<K>> {
    const identity = { instanceId, kind, externalId };
    const checked = parseLedgerDetails(kind, details, describeEntry(identity));
    const checkedSecrets = secrets === undefined ? undefined : parseLedgerSecrets(kind, secrets, describeEntry(identity));
    const sealed = checkedSecrets ? encryptJson(checkedSecrets, sealedCells.resourceSecrets(identity)) : null;
    const [row] = await q
      .insert(instanceResources)
      .values({ instanceId, kind, externalId, details: checked, secrets: sealed })
      .onConflictDoUpdate({
        target: [instanceResources.instanceId, instanceResources.kind, instanceResources.externalId],
        set: { details: checked, ...(sealed ? { secrets: sealed } : {}), deletedAt: null },
      })
      .returning();
    return { ...row!, kind, details: checked };
  }

  /**
   * The live entry for a resource about to be created, recorded now (with fresh secrets) when there is none.
   * Recording before creating means a crash, timeout or cancellation half-way never leaves a resource the
   * ledger does not know, and a retry reuses the same password instead of minting a second one.
   */
  async function recordBeforeCreating<K extends LedgerKind>(
    kind: K,
    externalId: string,
    details: LedgerDetails<K>,
    makeSecrets: () => LedgerSecrets<K>,
  ): Promise<{ entry: LedgerEntry<K>; secrets: LedgerSecrets<K> }> {
    const existing = await find(kind, externalId);
    const existingSecrets = existing ? ledgerSecretsOf(existing) : null;
    const secrets = existingSecrets ?? makeSecrets();
    const entry = await record(kind, externalId, details, existingSecrets ? undefined : secrets);
    return { entry, secrets };
  }

  async function markDeleted(entryId: string) {
    await q.update(instanceResources).set({ deletedAt: new Date() }).where(eq(instanceResources.id, entryId));
  }

  return { list, find, record, recordBeforeCreating, markDeleted, secretsOf: ledgerSecretsOf };
}

export type Ledger = ReturnType<typeof ledgerFor>;
