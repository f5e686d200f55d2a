// An operation holds its instance lease while Postgres restarts under it. The lease's session is gone with the
// old server (and the advisory lock with it), so releasing it afterwards must settle quietly. Before the lease
// had its own session it was a connection reserved from the shared pool: postgres.js 3.4.9 either never settled
// the unlock (the runner hung) or wrote it to the dead socket from a timer, an uncaught TypeError that took the
// worker process down.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { ownPostgres } from "./helpers/own-postgres";

const postgresServer = await ownPostgres();
const { closeDb, rawSql } = await import("@/db");
const { leaseInstance } = await import("@/jobs/runner/instance-lease");

afterAll(() => closeDb());

describe("an instance lease held across a Postgres restart", () => {
  it("releases without an uncaught error, and the instance can be leased again at once", { timeout: 60_000 }, async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", record);
    try {
      const instanceId = randomUUID();
      const lease = await leaseInstance(instanceId);
      expect(lease).not.toBeNull();

      await postgresServer.stop();
      await postgresServer.start();
      await rawSql()`select 1`.catch(() => rawSql()`select 1`);

      const limit = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000).unref());
      expect(await Promise.race([lease!.release().then(() => "released" as const), limit])).toBe("released");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);

      const again = await leaseInstance(instanceId, 2_000);
      expect(again).not.toBeNull();
      await again!.release();
    } finally {
      process.off("uncaughtException", record);
    }
  });
});
