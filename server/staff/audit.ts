// Reading the audit log: the audit page (filters, pagination) and an instance's own entries.
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db";
import { auditLog, auditOutcome, instances } from "@/db/schema";

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** The outcomes the audit page filters by. */
export const AUDIT_OUTCOMES = auditOutcome.enumValues;

export const auditQueryInput = z.object({
  outcome: z.preprocess(emptyAsUndefined, z.enum(auditOutcome.enumValues).optional()),
  action: z.preprocess(emptyAsUndefined, z.string().max(60).optional()),
  actor: z.preprocess(emptyAsUndefined, z.string().trim().max(200).optional()),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export type AuditQuery = z.infer<typeof auditQueryInput>;

const PAGE_SIZE = 50;

function auditColumns() {
  return {
    id: auditLog.id,
    actorEmail: auditLog.actorEmail,
    action: auditLog.action,
    instanceId: auditLog.instanceId,
    instanceSubdomain: instances.subdomain,
    target: auditLog.target,
    reason: auditLog.reason,
    outcome: auditLog.outcome,
    detail: auditLog.detail,
    createdAt: auditLog.createdAt,
  };
}

export async function auditEntries(q: Queryable, options: { instanceId?: string; limit?: number } = {}) {
  return q
    .select(auditColumns())
    .from(auditLog)
    .leftJoin(instances, eq(instances.id, auditLog.instanceId))
    .where(options.instanceId ? eq(auditLog.instanceId, options.instanceId) : undefined)
    .orderBy(desc(auditLog.createdAt))
    .limit(options.limit ?? PAGE_SIZE);
}

export async function auditPage(q: Queryable, query: AuditQuery) {
  const conditions: SQL[] = [];
  if (query.outcome) conditions.push(eq(auditLog.outcome, query.outcome));
  if (query.action) conditions.push(eq(auditLog.action, query.action));
  if (query.actor) conditions.push(sql`${auditLog.actorEmail} ilike ${`%${query.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  const where = and(...conditions);
  const [rows, [count]] = await Promise.all([
    q
      .select(auditColumns())
      .from(auditLog)
      .leftJoin(instances, eq(instances.id, auditLog.instanceId))
      .where(where)
      .orderBy(desc(auditLog.createdAt))
      .limit(PAGE_SIZE)
      .offset((query.page - 1) * PAGE_SIZE),
    q.select({ total: sql<number>`count(*)::int` }).from(auditLog).where(where),
  ]);
  const total = count?.total ?? 0;
  return { rows, total, page: query.page, pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

export type AuditRow = Awaited<ReturnType<typeof auditEntries>>[number];
