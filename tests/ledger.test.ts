// The ledger's entries keep their kind's shape: details of another shape, or a kind no one listed, are refused
// before anything is written (by the type checker for typed callers, at run time for the rest), and a row that
// went wrong in the database is refused when read, naming the entry, instead of reaching a step half-understood.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import type { LedgerDetails } from "@/server/instances/ledger-kinds";

const { db, closeDb } = await import("@/db");
const { instanceResources } = await import("@/db/schema");
const { ledgerFor } = await import("@/server/instances/ledger");
const { makeVerifiedUser, saveDraft } = await import("./helpers/registration");

afterAll(async () => {
  await closeDb();
});

const MYSQL_USER: LedgerDetails<"mysql.user"> = { role: "edxapp", databases: ["lyc_k_edxapp"], access: "all", server: "mysql.internal:3306" };

async function rowsOf(instanceId: string) {
  return db.select().from(instanceResources).where(eq(instanceResources.instanceId, instanceId));
}

describe("the ledger's entries", () => {
  it("records details of the kind's shape and reads them back typed", async () => {
    const instanceId = await saveDraft(await makeVerifiedUser());
    const ledger = ledgerFor(db, instanceId);
    const { secrets } = await ledger.recordBeforeCreating("mysql.user", "lyc_k_edxapp", MYSQL_USER, () => ({ password: "first" }));
    const [entry] = await ledger.list("mysql.user");
    expect(entry!.details).toEqual(MYSQL_USER);
    expect(ledger.secretsOf(entry!)).toEqual(secrets);
  });

  it("refuses details of another shape than the kind's, and writes nothing", async () => {
    const instanceId = await saveDraft(await makeVerifiedUser());
    const ledger = ledgerFor(db, instanceId);
    await expect(
      // @ts-expect-error the type checker refuses it too: a MySQL user's details say its role, databases, access and server
      ledger.record("mysql.user", "lyc_k_edxapp", { host: "10.0.0.5" }, { password: "pw" }),
    ).rejects.toThrow(
      /^the details of ledger entry mysql\.user lyc_k_edxapp of instance [0-9a-f-]+ do not have the shape of a mysql\.user entry: role: .*; databases: .*; access: .*; server: /,
    );
    // @ts-expect-error a compute server's address is a string or null
    await expect(ledger.record("compute.server", "vm-1", { driver: "local", deploymentId: "d", address: 80 })).rejects.toThrow(/address: /);
    await expect(
      // @ts-expect-error the secrets have their kind's shape too
      ledger.record("mysql.user", "lyc_k_edxapp", MYSQL_USER, { secret: "pw" }),
    ).rejects.toThrow(/the secrets of ledger entry mysql\.user lyc_k_edxapp .* password: /);
    expect(await rowsOf(instanceId)).toEqual([]);
  });

  it("refuses a kind that is not listed", async () => {
    const instanceId = await saveDraft(await makeVerifiedUser());
    // @ts-expect-error only listed kinds type-check
    await expect(ledgerFor(db, instanceId).record("mysql.snapshot", "s1", {})).rejects.toThrow(
      /has kind "mysql\.snapshot": not a ledger kind \(server\/instances\/ledger-kinds\.ts lists mysql\.database, mysql\.user, /,
    );
    expect(await rowsOf(instanceId)).toEqual([]);
  });

  it("refuses to read a row whose details were changed to another shape in the database, naming it", async () => {
    const instanceId = await saveDraft(await makeVerifiedUser());
    const ledger = ledgerFor(db, instanceId);
    await ledger.record("mongodb.user", "lyc_k", { database: "lyc_k", roles: ["readWrite@lyc_k"], hosts: ["mongo.internal:27017"] }, { password: "pw" });
    await db
      .update(instanceResources)
      .set({ details: sql`'{"database": 42}'::jsonb` })
      .where(and(eq(instanceResources.instanceId, instanceId), eq(instanceResources.kind, "mongodb.user")));
    const refusal = /^the details of ledger entry mongodb\.user lyc_k of instance [0-9a-f-]+ do not have the shape of a mongodb\.user entry: database: .*; roles: .*; hosts: /;
    await expect(ledger.list("mongodb.user")).rejects.toThrow(refusal);
    await expect(ledger.list()).rejects.toThrow(refusal);
    await expect(ledger.find("mongodb.user", "lyc_k")).rejects.toThrow(refusal);
  });
});
