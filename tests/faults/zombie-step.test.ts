// A step that cannot be stopped must not outlive its lease. The MySQL step's query is held on the wire (the
// proxy keeps its bytes, as a link that stalls and later heals does) while MariaDB answers everyone else; the
// owner cancels, staff deprovision, and only then the link heals. The held query must never reach MariaDB after
// the instance was torn down: no database or user of the instance remains, and reconcile finds no orphan.
import { afterAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "../helpers/fault-proxy";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();
const mariadbUrl = new URL(process.env.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306");
const proxy = await startFaultProxy({ host: mariadbUrl.hostname, port: Number(mariadbUrl.port || 3306) });
process.env.MYSQL_ADMIN_URL = proxy.urlFor(mariadbUrl.toString());

const { db } = await import("@/db");
const { env } = await import("@/server/env");
const { infra } = await import("@/server/infra");
const { reconcileResources } = await import("@/server/reconcile/run");
const { apiAs, makeUser } = await import("../helpers/accounts");
const { mysqlResourcesStartingWith } = await import("../helpers/data-services");
const { namePrefixOf, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();
afterAll(() => proxy.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a step stuck on MariaDB, cancelled and deprovisioned before the link heals", () => {
  it("leaves no database or user of the instance behind, and reconcile finds no orphan", async () => {
    const { owner, instance } = await registeredInstance(undefined, "Zombie Step Academy");
    const namePrefix = namePrefixOf(instance);
    const isStuck = proxy.holdWhen((chunk) => chunk.includes("information_schema.schemata") && chunk.includes(namePrefix));
    await pay(instance.id);
    await isStuck;

    await apiAs(owner).instances.cancel({ id: instance.id });
    await eventually(async () => {
      const operation = await db.query.instanceOperations.findFirst({ where: (t, { eq }) => eq(t.instanceId, instance.id) });
      return operation?.status === "cancelled" ? operation : undefined;
    }, 30_000, "the provision to be cancelled");
    const staff = await makeUser("staff");
    const current = await db.query.instances.findFirst({ where: (t, { eq }) => eq(t.id, instance.id) });
    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: current!.subdomain!, reason: "fault test" });
    await waitForStatus(instance.id, "deprovisioned", 120_000);

    proxy.pass();
    // Whatever was held now reaches MariaDB; give a late CREATE time to land.
    await sleep(3_000);
    expect(await mysqlResourcesStartingWith(`${namePrefix}_`)).toMatchObject({ databases: [], users: [] });
    const report = await reconcileResources(db, infra(), env(), { trigger: "staff" });
    expect(report.errors.filter((error) => error.kind.startsWith("mysql"))).toEqual([]);
    expect(report.orphans.filter((orphan) => orphan.instanceId === instance.id)).toEqual([]);
  });
});
