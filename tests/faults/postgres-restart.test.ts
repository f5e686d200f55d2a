// Postgres stops for 20 s while a provision's MySQL step is on the wire, then comes back on the same port and data
// (tests/faults/helpers/own-postgres.ts). Pass line (part of the scenario): the operation reaches running within
// 90 s of the restart, and afterwards no job is left held for more than 60 s by a live worker. Not checked here: the
// SSE stream, /api/ready and webhook redelivery during the outage.
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "../helpers/fault-proxy";
import { ownPostgres } from "./helpers/own-postgres";

const postgresServer = await ownPostgres();
const mariadbUrl = new URL(process.env.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306");
const mariadbProxy = await startFaultProxy({ host: mariadbUrl.hostname, port: Number(mariadbUrl.port || 3306) });
process.env.MYSQL_ADMIN_URL = mariadbProxy.urlFor(mariadbUrl.toString());
// The held MySQL call outlasts the outage rather than failing at its own limit: the outage is the fault here.
process.env.DRIVER_CALL_TIMEOUT_SECONDS = "60";

const { db } = await import("@/db");
const { namePrefixOf, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();
afterAll(() => mariadbProxy.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Postgres restarted mid-operation", () => {
  it("the provision reaches running within 90 s of the restart, and no job stays held by a live worker", { timeout: 240_000 }, async () => {
    const { instance } = await registeredInstance(undefined, "Postgres Restart Academy");
    const namePrefix = namePrefixOf(instance);
    const isStuck = mariadbProxy.holdWhen((chunk) => chunk.includes("information_schema.schemata") && chunk.includes(namePrefix));
    await pay(instance.id);
    await isStuck;

    await postgresServer.stop();
    await sleep(20_000);
    await postgresServer.start();
    mariadbProxy.pass();

    await waitForStatus(instance.id, "running", 90_000);
    await sleep(5_000);
    const held = await db.execute<{ id: string; task: string }>(sql`
      select j.id::text, t.identifier as task from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      where j.locked_at < now() - interval '60 seconds'`);
    expect(held).toEqual([]);
  });
});
