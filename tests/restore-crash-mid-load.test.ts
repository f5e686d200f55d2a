// A worker process is SIGKILLed while a restore is piping a dump into `mariadb`: the load is cut off half-way and
// the database is left half-restored (the client runs what reached it, then its stdin closes). A new worker
// picks the operation up, the step runs again from an emptied database, and the database ends exactly as backed
// up: same rows, same checksum, no duplicate and no table from after the backup.
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { exited, workerProcesses } from "./helpers/worker-processes";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { backups, operationSteps } = await import("@/db/schema");
const { ledgerFor } = await import("@/server/instances/ledger");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { apiAs } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { namesOf, pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");
const { operationEnded } = await import("./helpers/operations");
const waitForOperation = (operationId: string) => operationEnded(operationId, 200_000);

const workers = workerProcesses();

afterAll(async () => {
  await workers.stopAll();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

// Enough rows that the dump is many INSERT statements (each up to mariadb-dump's net buffer), so the load takes
// a while and can be caught between its first and its last.
const ROWS = 300_000;

describe("a worker killed in the middle of a restore's MariaDB load stream", () => {
  it("leaves a half-loaded database that the next worker replaces with exactly the backup", { timeout: 400_000 }, async () => {
    const first = workers.spawn();
    const { owner, instance } = await registeredInstance(undefined, "Mid Load Crash Academy");
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

    await services.withMysqlAdmin(async (admin) => {
      await admin.query(`CREATE TABLE \`${database}\`.grades (id INT PRIMARY KEY, learner VARCHAR(100), score INT, note CHAR(64))`);
      await admin.query(`INSERT INTO \`${database}\`.grades SELECT seq, CONCAT('learner ', seq), seq % 101, SHA2(seq, 256) FROM \`${database}\`.seq_1_to_${ROWS}`);
    });
    const connection = await connect();
    const snapshot = async (on = connection) => {
      const [rows] = await on.query("SELECT COUNT(*) AS count, SUM(score) AS total, MD5(GROUP_CONCAT(id, learner, score, note ORDER BY id SEPARATOR '')) AS digest FROM grades");
      const [tables] = await on.query("SHOW TABLES");
      return { rows, tables };
    };
    await connection.query("SET SESSION group_concat_max_len = 1073741824");
    const backedUp = await snapshot();
    expect(backedUp.rows).toEqual([expect.objectContaining({ count: ROWS })]);

    const { operationId } = await apiAs(owner).instances.backUp({ id: instance.id });
    expect(await waitForOperation(operationId)).toMatchObject({ status: "succeeded" });
    const [backup] = await db.select().from(backups).where(and(eq(backups.instanceId, instance.id), eq(backups.kind, "manual")));

    // Changed after the backup: the restore must undo both.
    await connection.query("INSERT INTO grades VALUES (9000001, 'late learner', 7, 'late')");
    await connection.query("CREATE TABLE made_later (id INT PRIMARY KEY)");
    await connection.end();

    // Watched from outside: once the restore has emptied the database and the dump's INSERTs are running (some,
    // not all), the worker is killed in the middle of the stream.
    const restore = await apiAs(owner).instances.restore({ id: instance.id, backupId: backup!.id, confirm: row.subdomain! });
    const insertsSeen = await services.withMysqlAdmin(async (admin) => {
      const deadline = Date.now() + 150_000;
      while (Date.now() < deadline) {
        // The dump holds its table under LOCK TABLES while it inserts, so the rows cannot be counted from outside
        // meanwhile: the load is seen by its statement instead.
        const [running] = await admin.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'INSERT INTO `grades`%'", [database]);
        if ((running as unknown[]).length > 0) {
          first.child.kill("SIGKILL");
          return (running as unknown[]).length;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`the first worker was never seen loading the dump; it said:\n${first.output.join("").slice(-2000)}`);
    });
    await exited(first.child);
    // The orphaned client runs what had reached it, then ends: the database is half-restored.
    await eventually(
      () => services.withMysqlAdmin(async (admin) => {
        const [rows] = await admin.query("SELECT COUNT(*) AS count FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()", [database]);
        return Number((rows as { count: number }[])[0]!.count) === 0 ? true : undefined;
      }),
      60_000,
      "the cut-off load to end",
    );
    const halfway = await services.withMysqlAdmin(async (admin) => {
      const [rows] = await admin.query(`SELECT COUNT(*) AS count FROM \`${database}\`.grades`);
      return Number((rows as { count: number }[])[0]!.count);
    });
    expect(insertsSeen).toBeGreaterThan(0);
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(ROWS);

    const second = workers.spawn();
    const finished = await waitForOperation(restore.operationId).catch((error: Error) => {
      throw new Error(`${error.message}\nsecond worker said:\n${second.output.join("").slice(-4000)}`);
    });
    expect(finished).toMatchObject({ status: "succeeded" });
    const [loadStep] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, restore.operationId), eq(operationSteps.step, "restore_mysql")));
    expect(loadStep).toMatchObject({ status: "succeeded", attempts: 2 });

    const after = await connect();
    try {
      await after.query("SET SESSION group_concat_max_len = 1073741824");
      expect(await snapshot(after)).toEqual(backedUp);
    } finally {
      await after.end();
    }
    expect((await waitForStatus(instance.id, "running")).status).toBe("running");
  });
});
