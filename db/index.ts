// The portal's Postgres connection (postgres.js + drizzle), one pool per process.
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/server/env";
import * as schema from "./schema";

// With the postgres.js client drizzle returns beside it (COPY, which drizzle has no form for).
export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Either the pool or an open transaction: query helpers accept both. */
export type Queryable = Database | Transaction;

type Connection = { sql: postgres.Sql; db: Database };
const globalForDb = globalThis as unknown as { __lyceumDb?: Connection };

/**
 * How long to wait before the next attempt to reach a database that went away. postgres.js's default grows with
 * every failed attempt (3^n/100 s) up to 20 s, and the LISTEN connection behind the live event streams
 * (server/events/hub.ts) inherits it: after a 20 s outage the pool and the streams came back up to 20 s after the
 * database did. Attempts to a database that is down fail at once and cost nothing, so one a second at most.
 */
function reconnectDelaySeconds(failedAttempts: number): number {
  return Math.min(0.05 * 2 ** failedAttempts, 1);
}

function connect(): Connection {
  const config = env();
  const sql = postgres(config.DATABASE_URL, { max: config.databasePoolSize, onnotice: () => {}, backoff: reconnectDelaySeconds });
  return { sql, db: drizzle(sql, { schema, casing: undefined }) };
}

function connection(): Connection {
  // Kept on globalThis so dev-mode module reloads do not open a new pool each time.
  globalForDb.__lyceumDb ??= connect();
  return globalForDb.__lyceumDb;
}

/** The drizzle database; the pool opens on first use, not at import (next build imports this file). */
export const db: Database = new Proxy({} as Database, {
  get(_target, property) {
    const real = connection().db as unknown as Record<PropertyKey, unknown>;
    const value = real[property];
    // $client (postgres.js's sql) is a function too, but one with methods of its own (begin, unsafe): not bound.
    return typeof value === "function" && property !== "$client" ? (value as (...a: unknown[]) => unknown).bind(real) : value;
  },
  // drizzle's `is(db, PgDatabase)` (used by @auth/drizzle-adapter) walks the prototype chain.
  getPrototypeOf() {
    return Object.getPrototypeOf(connection().db);
  },
});

/**
 * A prepared query, built on first use (not at import: next build imports the modules that declare them) and
 * built again for a new pool (after closeDb).
 */
export function preparedQuery<T>(build: (db: Database) => T): () => T {
  let cached: { db: Database; query: T } | undefined;
  return () => {
    const current = connection().db;
    if (cached?.db !== current) cached = { db: current, query: build(current) };
    return cached.query;
  };
}

export function rawSql(): postgres.Sql {
  return connection().sql;
}

export async function closeDb(): Promise<void> {
  const current = globalForDb.__lyceumDb;
  globalForDb.__lyceumDb = undefined;
  await current?.sql.end({ timeout: 5 });
}

export { schema };
