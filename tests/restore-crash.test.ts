// A worker process is SIGKILLed inside a restore's MySQL load step; a new worker picks the operation up (crash
// recovery releases the dead worker's lock), runs the step again on top of what the first one loaded, and the
// database ends equal to the backup: no duplicated rows, no table left from after the backup.
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { exited, workerProcesses } from "./helpers/worker-processes";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { backups, faultInjections, operationSteps } = await import("@/db/schema");
const { ledgerFor } = await import("@/server/instances/ledger");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { apiAs } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { injectFault, namesOf, pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");
const { operationEnded } = await import("./helpers/operations");
const waitForOperation = (operationId: string) => operationEnded(operationId, 150_000);

const workers = workerProcesses();
const spawnWorker = () => workers.spawn();

afterAll(async () => {
  await workers.stopAll();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});


describe("a worker killed during a restore's MySQL load", () => {
  it("is replaced by one that finishes the restore, leaving the database exactly as backed up", { timeout: 300_000 }, async () => {
    const first = spawnWorker();
    const { owner, instance } = await registeredInstance(undefined, "Restore Crash Academy");
    await pay(instance.id);
    const row = await waitForStatus(instance.id, "running", 150_000).catch((error: Error) => {
      throw new Error(`${error.message}\nworker said:\n${first.output.join("")}`);
    });
    const names = namesOf(row);
    const user = names.mysql.users.find((candidate) => candidate.role === "edxapp")!;
    const database = names.mysql.databases.find((candidate) => candidate.suffix === "edxapp")!.name;
    const ledger = ledgerFor(db, instance.id);
    const password = ledger.secretsOf((await ledger.find("mysql.user", user.name))!)!.password;
    const connect = () => services.connectAsMysqlUser(user.name, password, database);

    const connection = await connect();
    await connection.query("CREATE TABLE grades (id INT PRIMARY KEY, learner VARCHAR(100), score INT)");
    const values = Array.from({ length: 2000 }, (_, i) => [i + 1, `learner ${i + 1}`, i % 101]);
    await connection.query("INSERT INTO grades VALUES ?", [values]);
    const snapshot = async () => {
      const [rows] = await connection.query("SELECT COUNT(*) AS count, SUM(score) AS total, MD5(GROUP_CONCAT(id, learner, score ORDER BY id)) AS digest FROM grades");
      const [tables] = await connection.query("SHOW TABLES");
      return { rows, tables };
    };
    const backedUp = await snapshot();

    const { operationId } = await apiAs(owner).instances.backUp({ id: instance.id });
    expect(await waitForOperation(operationId)).toMatchObject({ status: "succeeded" });
    const [backup] = await db.select().from(backups).where(and(eq(backups.instanceId, instance.id), eq(backups.kind, "manual")));

    // Changed after the backup: the restore must undo both.
    await connection.query("INSERT INTO grades VALUES (9001, 'late learner', 7)");
    await connection.query("CREATE TABLE made_later (id INT PRIMARY KEY)");
    await connection.end();

    // The load runs, then the step holds before it is recorded as done: the worker dies with the step's work in
    // the database, so the next worker runs the whole load again on top of it.
    await injectFault({ instanceId: instance.id, step: "restore_mysql", phase: "after", action: "hang", operationKind: "restore" });
    const restore = await apiAs(owner).instances.restore({ id: instance.id, backupId: backup!.id, confirm: row.subdomain! });
    await eventually(async () => {
      const [fault] = await db.select().from(faultInjections).where(eq(faultInjections.instanceId, instance.id));
      return fault?.lastHitAt ? true : undefined;
    }, 120_000, `the first worker to load the databases (output: ${first.output.join("")})`);
    first.child.kill("SIGKILL");
    await exited(first.child);

    const second = spawnWorker();
    const finished = await waitForOperation(restore.operationId).catch((error: Error) => {
      throw new Error(`${error.message}\nsecond worker said:\n${second.output.join("")}`);
    });
    expect(finished).toMatchObject({ status: "succeeded" });
    const [loadStep] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, restore.operationId), eq(operationSteps.step, "restore_mysql")));
    expect(loadStep).toMatchObject({ status: "succeeded", attempts: 2 });

    const after = await connect();
    try {
      const [rows] = await after.query("SELECT COUNT(*) AS count, SUM(score) AS total, MD5(GROUP_CONCAT(id, learner, score ORDER BY id)) AS digest FROM grades");
      const [tables] = await after.query("SHOW TABLES");
      expect({ rows, tables }).toEqual(backedUp);
    } finally {
      await after.end();
    }
    expect((await waitForStatus(instance.id, "running")).status).toBe("running");
  });
});
