// The resource ledger of one instance: what exists for it, so steps can skip work and teardown can undo it.
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceResources } from "@/db/schema";
import { decryptJson, encryptJson } from "@/server/crypto/secrets";

export type LedgerEntry = typeof instanceResources.$inferSelect;

export function ledgerFor(q: Queryable, instanceId: string) {
  return {
    /** Live entries of a kind, newest first. */
    async list(kind?: string): Promise<LedgerEntry[]> {
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
        .orderBy(desc(instanceResources.createdAt));
    },

    async find(kind: string, externalId?: string): Promise<LedgerEntry | null> {
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
    },

    /** Records (or refreshes) a resource. Secrets are sealed before they reach the database. */
    async record(kind: string, externalId: string, details: Record<string, unknown>, secrets?: Record<string, unknown>) {
      const sealed = secrets ? encryptJson(secrets) : null;
      const [row] = await q
        .insert(instanceResources)
        .values({ instanceId, kind, externalId, details, secrets: sealed })
        .onConflictDoUpdate({
          target: [instanceResources.instanceId, instanceResources.kind, instanceResources.externalId],
          set: { details, ...(sealed ? { secrets: sealed } : {}), deletedAt: null },
        })
        .returning();
      return row!;
    },

    async markDeleted(entryId: string) {
      await q.update(instanceResources).set({ deletedAt: new Date() }).where(eq(instanceResources.id, entryId));
    },

    secretsOf<T = Record<string, unknown>>(entry: LedgerEntry): T | null {
      return entry.secrets ? decryptJson<T>(entry.secrets) : null;
    },
  };
}

export type Ledger = ReturnType<typeof ledgerFor>;
