// A live worker that looks dead must keep its job. Worker A (a process of its own, its Postgres link through the
// fault proxy) runs a provision whose MySQL step is held on the wire (a step that takes about 90 s); worker B runs
// in this file. A's heartbeat row is aged by 60 s, as after a stalled event loop; then A's link to Postgres is
// paused for 60 s, as in a partition that heals. A stale heartbeat is not proof of death: A still holds its
// liveness lock (jobs/crash-recovery.ts), so B's reaper leaves it alone. Pass line: A's row is fresh again within
// 15 s each time, the job stays locked by A, the step ran once and the "up and running" email is queued once.
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "../helpers/fault-proxy";
import { workerProcesses } from "../helpers/worker-processes";
import { ownPostgres } from "./helpers/own-postgres";

const postgresServer = await ownPostgres();
const postgresProxy = await startFaultProxy({ host: "127.0.0.1", port: postgresServer.port });
const mariadbUrl = new URL(process.env.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306");
const mariadbProxy = await startFaultProxy({ host: mariadbUrl.hostname, port: Number(mariadbUrl.port || 3306) });
process.env.MYSQL_ADMIN_URL = mariadbProxy.urlFor(mariadbUrl.toString());

const { closeDb, db } = await import("@/db");
const { releaseStaleLocks } = await import("@/jobs/crash-recovery");
const { startWorker } = await import("@/jobs/start-worker");
const { closeInfrastructure } = await import("@/server/infra");
const { makeWorkerUtils } = await import("graphile-worker");
const { namePrefixOf, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { queuedEmailsTo } = await import("../helpers/queued-emails");
const { eventually } = await import("../helpers/waiting");
const { localCompute } = await import("../helpers/file-worker");

const children = workerProcesses(2);
const utils = await makeWorkerUtils({ connectionString: postgresServer.url });
let workerB: Awaited<ReturnType<typeof startWorker>> | undefined;
afterAll(async () => {
  postgresProxy.pass();
  mariadbProxy.pass();
  await children.stopAll();
  await workerB?.stop();
  for (const server of await localCompute().listServers()) await localCompute().destroyServer(server.serverId);
  await utils.release();
  await closeInfrastructure();
  await closeDb();
  await postgresProxy.close();
  await mariadbProxy.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type ProcessRow = { id: string; graphile_worker_ids: string[]; age: number };
const rowOfPid = async (pid: number) =>
  (
    await db.execute<ProcessRow>(
      sql`select id, graphile_worker_ids, extract(epoch from now() - last_heartbeat_at)::float8 as age from worker_processes where pid = ${pid}`,
    )
  )[0];
const jobOf = async (operationId: string) =>
  (await db.execute<{ locked_by: string | null; attempts: number }>(sql`select locked_by, attempts from graphile_worker._private_jobs where key = ${`operation:${operationId}`}`))[0];
/** The row is there again and was written in the last 15 s. */
const freshWithin15s = (pid: number) =>
  eventually(async () => {
    const row = await rowOfPid(pid);
    return row && row.age < 15 ? row : undefined;
  }, 16_000, "worker A's heartbeat row to be fresh again");

describe("a live worker whose heartbeat goes stale", () => {
  it("keeps its job through an aged row and a 60 s Postgres partition: its row is back within 15 s, the step runs once, one email", { timeout: 300_000 }, async () => {
    const { owner, instance } = await registeredInstance(undefined, "Heartbeat Loss Academy");
    const namePrefix = namePrefixOf(instance);
    const isStuck = mariadbProxy.holdWhen((chunk) => chunk.includes("information_schema.schemata") && chunk.includes(namePrefix));
    // A's MySQL calls may wait as long as the scenario lasts; the proxy is its only path to Postgres.
    const { child: workerA } = children.spawn({ DATABASE_URL: postgresProxy.urlFor(postgresServer.url), DRIVER_CALL_TIMEOUT_SECONDS: "300" });
    await pay(instance.id);
    await isStuck;
    const operation = await eventually(() => db.query.instanceOperations.findFirst({ where: (t, { eq }) => eq(t.instanceId, instance.id) }), 10_000, "the provision");
    const rowA = await eventually(() => rowOfPid(workerA.pid!), 10_000, "worker A's row");
    expect(rowA.graphile_worker_ids).toContain((await jobOf(operation.id))!.locked_by);
    workerB = await startWorker({ concurrency: 2, quiet: true });

    // The row aged by 60 s: what a neighbour's reaper sees after a stall. It leaves A alone; A's next beat renews it.
    await db.execute(sql`update worker_processes set last_heartbeat_at = now() - interval '60 seconds' where pid = ${workerA.pid!}`);
    expect(await releaseStaleLocks(utils)).toEqual([]);
    await freshWithin15s(workerA.pid!);

    // A's link to Postgres paused for 60 s: B's reaper runs four times meanwhile and sees A's row go stale.
    postgresProxy.pause();
    await sleep(60_000);
    expect((await rowOfPid(workerA.pid!))!.age).toBeGreaterThan(45);
    postgresProxy.pass();
    await freshWithin15s(workerA.pid!);

    const job = await jobOf(operation.id);
    expect(rowA.graphile_worker_ids).toContain(job!.locked_by);
    expect(job!.attempts).toBe(1);

    mariadbProxy.pass();
    await waitForStatus(instance.id, "running", 120_000);
    const [mysqlStep] = await db.execute<{ starts: number }>(
      sql`select count(*)::int as starts from instance_events where instance_id = ${instance.id} and kind = 'step_started' and step = 'mysql'`,
    );
    expect(mysqlStep!.starts).toBe(1);
    const upAndRunning = (await queuedEmailsTo(owner.email!)).filter((email) => email.subject.includes("is up and running"));
    expect(upAndRunning).toHaveLength(1);
  });
});
