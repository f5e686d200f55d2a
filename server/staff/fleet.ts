// The staff fleet list: search, filters, sorting and pagination, all in the database. Substring search uses
// the trigram indexes on lower(name), lower(subdomain), lower(custom_domain) and users.email.
import { and, asc, desc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, subscriptions, users } from "@/db/schema";
import { lastBackupAtColumn } from "@/server/backups/freshness";
import type { FleetQuery } from "./fleet-input";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function likePattern(term: string) {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function fleetConditions(query: FleetQuery): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  const term = query.search;
  if (term) {
    const pattern = likePattern(term);
    // One branch per indexed column, rather than one OR: each branch can use its own trigram index (an OR
    // across the owner join cannot), so a search stays an index look-up as the fleet grows.
    const matches = sql`(
      select id from instances where lower(name) like ${pattern}
      union all select id from instances where lower(subdomain) like ${pattern}
      union all select id from instances where lower(custom_domain) like ${pattern}
      union all select owned.id from instances owned join users owner on owner.id = owned.owner_id where owner.email like ${pattern})`;
    conditions.push(or(sql`${instances.id} in ${matches}`, UUID.test(term) ? eq(instances.id, term.toLowerCase()) : undefined));
  }
  if (query.status) conditions.push(eq(instances.status, query.status));
  if (query.plan) conditions.push(eq(instances.plan, query.plan));
  if (query.billing === "none") conditions.push(isNull(subscriptions.id));
  else if (query.billing) conditions.push(eq(subscriptions.status, query.billing));
  return and(...conditions);
}

const SORT_COLUMNS = {
  created: instances.createdAt,
  name: sql`lower(${instances.name})`,
  subdomain: instances.subdomain,
  status: instances.status,
  plan: instances.plan,
  owner: users.email,
} as const;

export async function fleetPage(q: Queryable, query: FleetQuery) {
  const where = fleetConditions(query);
  const order = query.direction === "asc" ? asc : desc;
  const rowsQuery = q
    .select({
      id: instances.id,
      name: instances.name,
      subdomain: instances.subdomain,
      customDomain: instances.customDomain,
      status: instances.status,
      plan: instances.plan,
      createdAt: instances.createdAt,
      ownerEmail: users.email,
      billingStatus: subscriptions.status,
      lastBackupAt: lastBackupAtColumn,
    })
    .from(instances)
    .innerJoin(users, eq(users.id, instances.ownerId))
    .leftJoin(subscriptions, eq(subscriptions.instanceId, instances.id))
    .where(where)
    .orderBy(order(SORT_COLUMNS[query.sort]), order(instances.id))
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize);
  const countQuery = q
    .select({ total: sql<number>`count(*)::int` })
    .from(instances)
    .leftJoin(subscriptions, eq(subscriptions.instanceId, instances.id))
    .where(where);
  const [found, [count]] = await Promise.all([rowsQuery, countQuery]);
  const total = count?.total ?? 0;
  const now = Date.now();
  const rows = found.map((row) => ({ ...row, lastBackupAgeMs: row.lastBackupAt ? now - row.lastBackupAt.getTime() : null }));
  return { rows, total, page: query.page, pageSize: query.pageSize, pageCount: Math.max(1, Math.ceil(total / query.pageSize)) };
}

export async function fleetStatusCounts(q: Queryable) {
  const rows = await q
    .select({ status: instances.status, count: sql<number>`count(*)::int` })
    .from(instances)
    .groupBy(instances.status)
    .orderBy(instances.status);
  return { byStatus: rows, total: rows.reduce((sum, row) => sum + row.count, 0) };
}
