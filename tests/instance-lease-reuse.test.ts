// An operation's instance lease is a session of its own (jobs/runner/instance-lease.ts). Opening that connection
// was most of what a short operation cost beyond its steps, so a cleanly released session serves the next lease;
// it must still exclude a second runner, and a reused session must hold nothing from its previous lease.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

// A database of its own: the lease sessions counted below are this file's alone.
await isolatedDatabase();

const { closeDb, rawSql } = await import("@/db");
const { leaseInstance } = await import("@/jobs/runner/instance-lease");

afterAll(() => closeDb());

async function leaseBackends(): Promise<number[]> {
  const rows = await rawSql()<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and application_name = 'lyceum-instance-lease' order by pid`;
  return rows.map((row) => row.pid);
}

describe("instance leases", () => {
  it("reuse a released lease's connection for the next lease instead of opening one", async () => {
    const first = await leaseInstance(randomUUID());
    const backends = await leaseBackends();
    expect(backends).toHaveLength(1);
    await first!.release();

    const second = await leaseInstance(randomUUID());
    expect(await leaseBackends()).toEqual(backends);
    await second!.release();
  });

  it("hold an instance for as long as the operation runs, past the time an unused session is kept", { timeout: 30_000 }, async () => {
    const instanceId = randomUUID();
    const first = await leaseInstance(randomUUID());
    await first!.release();
    // The released session serves this lease, whose connection then sits idle while the steps run.
    const held = await leaseInstance(instanceId);
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect(await leaseInstance(instanceId, 500)).toBeNull();
    await held!.release();
  });

  it("still let only one runner hold an instance, and a reused session keeps no lock of its last lease", async () => {
    const instanceId = randomUUID();
    const held = await leaseInstance(instanceId, 500);
    expect(held).not.toBeNull();
    expect(await leaseInstance(instanceId, 500)).toBeNull();
    await held!.release();

    // The session that held it is idle now; another instance's lease takes it, and the first instance is free.
    const other = await leaseInstance(randomUUID(), 500);
    const again = await leaseInstance(instanceId, 500);
    expect(again).not.toBeNull();
    await again!.release();
    await other!.release();
  });
});
