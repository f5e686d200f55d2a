// Worker processes are SIGKILLed during an upgrade: once with the new release's server booted (its migration run)
// but the step not recorded, once right after the switch. Each time a new worker picks the operation up (crash
// recovery releases the dead worker's lock) and the upgrade ends as if nothing had happened: one new deployment,
// one server for it, the migration applied once, the instance on the new release with the old one as fallback.
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { exited, workerProcesses } from "./helpers/worker-processes";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { deployments, faultInjections, instanceUpgrades, operationSteps, releases } = await import("@/db/schema");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { injectFault, namesOf, pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");
const { operationEnded } = await import("./helpers/operations");

const workers = workerProcesses();
const compute = () => createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);

afterAll(async () => {
  await workers.stopAll();
  for (const server of await compute().listServers()) await compute().destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

async function killWhenFaultHit(instanceId: string, step: string, worker: ReturnType<typeof workers.spawn>) {
  await eventually(async () => {
    const [fault] = await db.select().from(faultInjections).where(and(eq(faultInjections.instanceId, instanceId), eq(faultInjections.step, step)));
    return fault?.lastHitAt ? true : undefined;
  }, 150_000, `a worker to reach ${step} (output: ${worker.output.join("")})`);
  worker.child.kill("SIGKILL");
  await exited(worker.child);
}

describe("a worker killed during an upgrade", () => {
  it("is replaced by one that resumes it, twice, and the upgrade ends exactly once", { timeout: 480_000 }, async () => {
    const first = workers.spawn();
    const { owner, instance } = await registeredInstance(undefined, "Upgrade Crash Academy");
    await pay(instance.id);
    const running = await waitForStatus(instance.id, "running", 150_000).catch((error: Error) => {
      throw new Error(`${error.message}\nworker said:\n${first.output.join("")}`);
    });
    const staff = await makeUser("staff");
    const added = await apiAs(staff).staff.addRelease({
      release: {
        name: "crashwood",
        tutorVersion: "18.0.0",
        pluginVersions: { "tutor-mfe": "18.1.0" },
        status: "supported",
        // Not idempotent on purpose: run twice, it would fail on the duplicate key.
        migrations: [{ id: "crash-0001", databaseSuffix: "edxapp", sql: "CREATE TABLE IF NOT EXISTS crash_made (id INT PRIMARY KEY); INSERT INTO crash_made VALUES (1);" }],
        notes: "",
      },
      reason: "a release for the crash test",
    });
    expect(added.outcome).toBe("accepted");
    const target = (await db.query.releases.findFirst({ where: eq(releases.name, "crashwood") }))!;

    // The step's work is done, then it hangs before it is recorded: the next worker runs it again on top of it.
    await injectFault({ instanceId: instance.id, step: "boot_server", phase: "after", action: "hang", operationKind: "upgrade" });
    await injectFault({ instanceId: instance.id, step: "activate_deployment", phase: "after", action: "hang", operationKind: "upgrade" });
    const { operationId } = await apiAs(owner).instances.upgrade({ id: instance.id, releaseId: target.id });
    await killWhenFaultHit(instance.id, "boot_server", first);
    const second = workers.spawn();
    await killWhenFaultHit(instance.id, "activate_deployment", second);
    const third = workers.spawn();
    const finished = await operationEnded(operationId, 240_000).catch((error: Error) => {
      throw new Error(`${error.message}\nthird worker said:\n${third.output.join("")}`);
    });
    expect(finished).toMatchObject({ status: "succeeded" });

    const steps = await db.select().from(operationSteps).where(eq(operationSteps.operationId, operationId));
    const attemptsOf = (name: string) => steps.find((step) => step.step === name)?.attempts;
    expect([attemptsOf("boot_server"), attemptsOf("activate_deployment"), attemptsOf("record_upgrade")]).toEqual([2, 2, 1]);

    const all = await db.select().from(deployments).where(eq(deployments.instanceId, instance.id)).orderBy(deployments.createdAt);
    expect(all.map((deployment) => deployment.status)).toEqual(["running", "running"]);
    const [old, fresh] = all;
    expect(fresh).toMatchObject({ operationId, releaseId: target.id });
    const upgraded = await waitForStatus(instance.id, "running");
    expect(upgraded).toMatchObject({ releaseId: target.id, activeDeploymentId: fresh!.id });
    expect((await compute().listServers()).map((server) => server.serverId).sort()).toEqual([old!.serverId, fresh!.serverId].sort());
    const [upgrade] = await db.select().from(instanceUpgrades).where(eq(instanceUpgrades.operationId, operationId));
    expect(upgrade).toMatchObject({ status: "upgraded", hasRunMigrations: true, fromDeploymentId: old!.id, toDeploymentId: fresh!.id });

    // The migration ran once: the booted server's boot is not run again by a resumed step.
    const names = namesOf(running);
    const user = names.mysql.users.find((candidate) => candidate.role === "edxapp")!;
    const database = names.mysql.databases.find((candidate) => candidate.suffix === "edxapp")!.name;
    const ledger = ledgerFor(db, instance.id);
    const connection = await services.connectAsMysqlUser(user.name, ledger.secretsOf((await ledger.find("mysql.user", user.name))!)!.password, database);
    try {
      const [rows] = await connection.query("SELECT id FROM crash_made");
      expect(rows).toEqual([{ id: 1 }]);
    } finally {
      await connection.end();
    }
  });
});
