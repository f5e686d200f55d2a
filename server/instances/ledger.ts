// The resource ledger of one instance: what exists for it, so steps can skip work and teardown can undo it.
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceResources } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson, encryptJson } from "@/server/crypto/secrets";

export type LedgerEntry = typeof instanceResources.$inferSelect;

export function ledgerFor(q: Queryable, instanceId: string) {
  /** Live entries of a kind, newest first. */
  async function list(kind?: string): Promise<LedgerEntry[]> {
    return q
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
  }

  async function find(kind: string, externalId?: string): Promise<LedgerEntry | null> {
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
    return row ?? null;
  }

  /** Records (or refreshes) a resource. Secrets are sealed before they reach the database. */
  async function record(kind: string, externalId: string, details: Record<string, unknown>, secrets?: Record<string, unknown>) {
    const sealed = secrets ? encryptJson(secrets, sealedCells.resourceSecrets({ instanceId, kind, externalId })) : null;
    const [row] = await q
      .insert(instanceResources)
      .values({ instanceId, kind, externalId, details, secrets: sealed })
      .onConflictDoUpdate({
        target: [instanceResources.instanceId, instanceResources.kind, instanceResources.externalId],
        set: { details, ...(sealed ? { secrets: sealed } : {}), deletedAt: null },
      })
      .returning();
    return row!;
  }

  /**
   * The live entry for a resource about to be created, recorded now (with fresh secrets) when there is none.
   * Recording before creating means a crash, timeout or cancellation half-way never leaves a resource the
   * ledger does not know, and a retry reuses the same password instead of minting a second one.
   */
  async function recordBeforeCreating<S extends Record<string, unknown>>(
    kind: string,
    externalId: string,
    details: Record<string, unknown>,
    makeSecrets: () => S,
  ): Promise<{ entry: LedgerEntry; secrets: S }> {
    const existing = await find(kind, externalId);
    const existingSecrets = existing?.secrets ? decryptJson<S>(existing.secrets, sealedCells.resourceSecrets(existing)) : null;
    const secrets = existingSecrets ?? makeSecrets();
    const entry = await record(kind, externalId, details, existingSecrets ? undefined : secrets);
    return { entry, secrets };
  }

  async function markDeleted(entryId: string) {
    await q.update(instanceResources).set({ deletedAt: new Date() }).where(eq(instanceResources.id, entryId));
  }

  function secretsOf<T = Record<string, unknown>>(entry: LedgerEntry): T | null {
    return entry.secrets ? decryptJson<T>(entry.secrets, sealedCells.resourceSecrets(entry)) : null;
  }

  return { list, find, record, recordBeforeCreating, markDeleted, secretsOf };
}

export type Ledger = ReturnType<typeof ledgerFor>;
