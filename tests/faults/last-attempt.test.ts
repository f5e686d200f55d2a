// Death on the last attempt, end to end on the real timers (defect 1 as a scenario). Three provisions, each on its
// final attempt: one whose worker process is SIGKILLed mid-step, one whose worker is stopped with SIGTERM mid-step,
// and one that finds its instance leased by someone else (InstanceBusyError). No test calls a sweep: the surviving
// worker's heartbeat releases the dead one's lock, its minute sweep (fail_stranded_operations) fails what no job
// will run again. Within 2 minutes each operation is failed or re-queued and its instance released, Retry finishes
// the failed ones, and the stranded-operations metric behind the alert is above 0.
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { exited, workerProcesses } from "../helpers/worker-processes";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();

const { closeDb, db } = await import("@/db");
const { startWorker } = await import("@/jobs/start-worker");
const { closeInfrastructure } = await import("@/server/infra");
const { leaseInstance } = await import("@/jobs/runner/instance-lease");
const { metrics } = await import("@/server/observability/metrics");
const { apiAs } = await import("../helpers/accounts");
const { injectFault, instanceRow, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { localCompute } = await import("../helpers/file-worker");

const TWO_MINUTES_MS = 120_000;
// One job at a time each: the SIGKILLed and the SIGTERMed provisions land on different processes.
const children = workerProcesses(1);
let survivor: Awaited<ReturnType<typeof startWorker>> | undefined;
afterAll(async () => {
  await children.stopAll();
  await survivor?.stop();
  for (const server of await localCompute().listServers()) await localCompute().destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

const operationOf = (instanceId: string) =>
  eventually(() => db.query.instanceOperations.findFirst({ where: (t, { eq }) => eq(t.instanceId, instanceId) }), 60_000, "the provision operation");
const jobKey = (operationId: string) => `operation:${operationId}`;
/** As if every earlier attempt had died: the one running now is the last. */
const makeLastAttempt = (operationId: string) =>
  db.execute(sql`update graphile_worker._private_jobs set max_attempts = greatest(attempts, 1) where key = ${jobKey(operationId)}`);
const hangReached = (instanceId: string) =>
  eventually(async () => {
    const fault = await db.query.faultInjections.findFirst({ where: (t, { eq }) => eq(t.instanceId, instanceId) });
    return fault?.lastHitAt ? true : undefined;
  }, 90_000, "the provision to reach its hanging step");
/** The worker process (pid) that holds the operation's job. */
const pidRunning = async (operationId: string) => {
  const [row] = await db.execute<{ pid: number }>(sql`
    select w.pid from graphile_worker._private_jobs j join worker_processes w on j.locked_by = any(w.graphile_worker_ids)
    where j.key = ${jobKey(operationId)}`);
  return row?.pid;
};
const strandedCount = async () => (await metrics().operationsStranded.get()).values.reduce((sum, value) => sum + value.value, 0);

describe("a provision on its last attempt", () => {
  it("SIGKILLed, SIGTERMed or refused for a busy instance: failed or re-queued within 2 minutes, released, Retry finishes it, the alert's metric counts it", { timeout: 330_000 }, async () => {
    const killed = await registeredInstance(undefined, "Killed Last Attempt Academy");
    const stopped = await registeredInstance(undefined, "Stopped Last Attempt Academy");
    const busy = await registeredInstance(undefined, "Busy Last Attempt Academy");
    for (const { instance } of [killed, stopped]) await injectFault({ instanceId: instance.id, step: "rabbitmq", phase: "before", action: "hang" });

    // Two worker processes take the two hanging provisions (the ones to kill are found by the job each holds);
    // the survivor, in this file, starts once both hang.
    const spawned = [children.spawn(), children.spawn()];
    await pay(killed.instance.id);
    await pay(stopped.instance.id);
    const killedOperation = await operationOf(killed.instance.id);
    const stoppedOperation = await operationOf(stopped.instance.id);
    await Promise.all([hangReached(killed.instance.id), hangReached(stopped.instance.id)]);
    await makeLastAttempt(killedOperation.id);
    await makeLastAttempt(stoppedOperation.id);
    survivor = await startWorker({ concurrency: 2, quiet: true });

    // The busy instance: someone else holds its lease, so its only attempt gives up (InstanceBusyError).
    const foreignLease = await leaseInstance(busy.instance.id);
    await pay(busy.instance.id);
    const busyOperation = await operationOf(busy.instance.id);
    await makeLastAttempt(busyOperation.id);

    const pidOf = async (operationId: string) => eventually(() => pidRunning(operationId), 10_000, `the worker running ${operationId}`);
    const [killedPid, stoppedPid] = [await pidOf(killedOperation.id), await pidOf(stoppedOperation.id)];
    const processOf = (pid: number) => spawned.find(({ child }) => child.pid === pid)?.child;
    const faultAt = Date.now();
    const killedProcess = processOf(killedPid);
    if (killedProcess) {
      killedProcess.kill("SIGKILL");
      await exited(killedProcess);
    }
    const stoppedProcess = processOf(stoppedPid);
    if (stoppedProcess) {
      stoppedProcess.kill("SIGTERM");
      await exited(stoppedProcess);
    }
    expect(killedProcess && stoppedProcess && killedProcess !== stoppedProcess).toBeTruthy();
    await eventually(async () => {
      const [job] = await db.execute<{ attempts: number; locked_at: Date | null }>(
        sql`select attempts, locked_at from graphile_worker._private_jobs where key = ${jobKey(busyOperation.id)}`,
      );
      return job && job.attempts >= 1 && job.locked_at === null ? true : undefined;
    }, 60_000, "the busy provision's attempt to give up");
    await foreignLease!.release();

    // Within 2 minutes: the killed and the busy provisions failed, their instances released; the stopped one was
    // given back its attempt and resumed by the survivor.
    const settled = (instanceId: string, statuses: string[]) =>
      eventually(async () => {
        const operation = await db.query.instanceOperations.findFirst({ where: (t, { eq }) => eq(t.instanceId, instanceId) });
        return operation && statuses.includes(operation.status) ? operation : undefined;
      }, Math.max(1_000, faultAt + TWO_MINUTES_MS - Date.now()), `instance ${instanceId}'s provision to be failed or re-queued`);
    const [killedEnd, busyEnd] = await Promise.all([settled(killed.instance.id, ["failed"]), settled(busy.instance.id, ["failed"])]);
    expect(killedEnd.error).toMatch(/last attempt/);
    expect(busyEnd.error).toMatch(/last attempt/);
    expect((await instanceRow(killed.instance.id)).status).toBe("failed");
    expect((await instanceRow(busy.instance.id)).status).toBe("failed");
    await settled(stopped.instance.id, ["running", "succeeded"]);
    expect(await strandedCount()).toBeGreaterThan(0);

    await apiAs(killed.owner).instances.retry({ id: killed.instance.id });
    await apiAs(busy.owner).instances.retry({ id: busy.instance.id });
    await Promise.all([
      waitForStatus(killed.instance.id, "running", 120_000),
      waitForStatus(busy.instance.id, "running", 120_000),
      waitForStatus(stopped.instance.id, "running", 120_000),
    ]);
  });
});
