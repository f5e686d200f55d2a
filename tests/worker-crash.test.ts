// A worker process is SIGKILLed in the middle of a step; a new one finishes the pipeline (graphile-worker alone
// would keep the dead worker's job locked for hours) and nothing is created twice.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { exited, workerProcesses } from "./helpers/worker-processes";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { faultInjections, instanceOperations, instanceResources, operationSteps } = await import("@/db/schema");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const services = await import("./helpers/data-services");
const { injectFault, instanceRow, namePrefixOf, namesOf, pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

const workers = workerProcesses();
const spawnWorker = () => workers.spawn();

afterAll(async () => {
  await workers.stopAll();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

describe("a worker killed mid-step", () => {
  it("is replaced by a new worker that finishes the pipeline within about a minute, creating nothing twice", { timeout: 180_000 }, async () => {
    const { instance } = await registeredInstance(undefined, "Crash Test Academy");
    // The object-storage step makes its bucket and key, then hangs: the worker dies with the step's work done
    // but not recorded as done, so the next worker must run it again on top of what exists.
    await injectFault({ instanceId: instance.id, step: "object_storage", phase: "after", action: "hang" });
    const first = spawnWorker();
    await pay(instance.id);
    await eventually(async () => {
      const [fault] = await db.select().from(faultInjections).where(eq(faultInjections.instanceId, instance.id));
      return fault?.lastHitAt ? true : undefined;
    }, 90_000, `the first worker to reach the step (output: ${first.output.join("")})`);

    first.child.kill("SIGKILL");
    await exited(first.child);
    const locked = await db.execute<{ locked_by: string | null }>(
      sql`select locked_by from graphile_worker._private_jobs where key like 'operation:%'`,
    );
    expect(locked.map((row) => row.locked_by).filter(Boolean)).toHaveLength(1); // the dead worker still holds it

    const second = spawnWorker();
    await waitForStatus(instance.id, "running", 150_000).catch((error: Error) => {
      throw new Error(`${error.message}\nsecond worker said:\n${second.output.join("")}`);
    });

    const row = await instanceRow(instance.id);
    const names = namesOf(row);
    const prefix = namePrefixOf(row);
    const onMysql = await services.mysqlResourcesStartingWith(`${prefix}_`);
    expect(onMysql.databases).toEqual(names.mysql.databases.map((d) => d.name).sort());
    expect(onMysql.users).toEqual(names.mysql.users.map((u) => u.name).sort());
    expect(await services.rabbitVhostsStartingWith(prefix)).toEqual([names.rabbitmq.vhost]);
    expect((await services.rabbitUsersStartingWith(prefix)).map((user) => user.name)).toEqual([names.rabbitmq.user]);
    expect(await services.bucketsStartingWith(`${process.env.LYCEUM_RESOURCE_PREFIX}-${row.resourceKey}`)).toEqual([names.objectStorage.bucket]);
    expect(await services.scopedKeysNamed(names.objectStorage.iamUser)).toHaveLength(1);

    const ledger = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, instance.id));
    const identities = ledger.map((entry) => `${entry.kind} ${entry.externalId}`);
    expect(new Set(identities).size).toBe(identities.length);
    expect(ledger.filter((entry) => entry.kind === "compute.server")).toHaveLength(1);

    const [operation] = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instance.id));
    expect(operation).toMatchObject({ kind: "provision", status: "succeeded" });
    const [mysqlStep] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, operation!.id), eq(operationSteps.step, "mysql")));
    const [storageStep] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, operation!.id), eq(operationSteps.step, "object_storage")));
    expect(mysqlStep).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(storageStep).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(storageStep!.result).toContain(`updated private, versioned bucket ${names.objectStorage.bucket}`);
    expect(storageStep!.result).toContain("kept access key");
  });
});
