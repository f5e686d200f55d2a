// At WORKER_CONCURRENCY 6, six operations each hold their instance lease and then run a
// step that keeps a transaction open while it queries beside it, as the certificates step does. With a pool
// too small for that, every step waits for a connection that only another waiting step could give back.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();
process.env.WORKER_CONCURRENCY = "6";
const { db, closeDb } = await import("@/db");
const { leaseInstance } = await import("@/jobs/runner/instance-lease");
const { parseEnv } = await import("@/server/env");

afterAll(() => closeDb());

async function operationWithNestedQuery(instanceId: string) {
  const lease = await leaseInstance(instanceId);
  if (!lease) throw new Error("lease not granted");
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_sleep(0.2)`);
      // A query outside the transaction while it is open: a second connection for the same step.
      await db.execute(sql`select 1`);
    });
  } finally {
    await lease.release();
  }
}

describe("the worker's Postgres pool", () => {
  it("lets six concurrent operations, each holding a lease and a transaction, all finish", async () => {
    const all = Promise.all(Array.from({ length: 6 }, () => operationWithNestedQuery(randomUUID())));
    const stuck = new Promise<"stuck">((resolve) => setTimeout(() => resolve("stuck"), 15_000).unref());
    expect(await Promise.race([all.then(() => "done" as const), stuck])).toBe("done");
  });

  it("refuses at start-up a pool size that cannot serve the concurrency, naming both variables", () => {
    const base = { DATABASE_URL: "postgres://x@127.0.0.1/x", AUTH_SECRET: "a".repeat(32), LYCEUM_ENCRYPTION_KEY: Buffer.alloc(32).toString("base64") };
    expect(() => parseEnv({ ...base, WORKER_CONCURRENCY: "6", DATABASE_POOL_SIZE: "10" })).toThrow(/DATABASE_POOL_SIZE: 10 connections cannot serve WORKER_CONCURRENCY=6/);
    expect(parseEnv({ ...base, WORKER_CONCURRENCY: "6" }).databasePoolSize).toBeGreaterThanOrEqual(14);
  });
});
