// The MongoDB driver against a loopback server speaking MongoDB's wire protocol (tests/helpers/fake-mongod.ts):
// no MongoDB server runs on this machine, so this checks what the official driver really serialises and sends —
// the admin login, createUser/updateUser/dropUser/dropDatabase with their roles — not a live cluster's behaviour.
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeMongod } from "./helpers/fake-mongod";
import { isolatedDatabase } from "./helpers/isolated-database";

const ADMIN = { user: "lyceum-admin", password: "admin secret, with, commas" };
const mongod = await startFakeMongod(ADMIN);
process.env.MONGODB_ADMIN_URL = mongod.url();
await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { startWorker } = await import("@/jobs/start-worker");
const { closeInfrastructure } = await import("@/server/infra");
const { createMongoDriver } = await import("@/server/infra/mongodb/admin-connection");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs, makeUser } = await import("./helpers/accounts");
const { namesOf, runningInstance, waitForStatus } = await import("./helpers/instances");

const driver = createMongoDriver(mongod.url());
let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  await driver.close();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
  await mongod.close();
});

const sent = (name: string) => mongod.commands.filter((command) => command.name === name);

async function canLogIn(user: string, password: string, database: string) {
  const client = new MongoClient(mongod.url(user, password, database), { serverSelectionTimeoutMS: 2000 });
  try {
    await client.db(database).command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

describe("the MongoDB driver (contract-tested: not against a real MongoDB)", () => {
  it("logs in as the administrator and creates the user in its own database with readWrite on it alone", async () => {
    const result = await driver.ensureUser({ database: "lyc_contract1", user: "lyc_contract1", password: "first-password" });
    expect(result).toEqual({ isNew: true });
    expect(sent("saslStart").at(-1)).toMatchObject({ db: "admin", body: { mechanism: "SCRAM-SHA-256" } });
    expect(sent("createUser").at(-1)).toEqual({
      name: "createUser",
      db: "lyc_contract1",
      body: { createUser: "lyc_contract1", pwd: "first-password", roles: [{ role: "readWrite", db: "lyc_contract1" }] },
      authenticatedAs: `${ADMIN.user}@admin`,
    });
    expect(await canLogIn("lyc_contract1", "first-password", "lyc_contract1")).toBe(true);
    expect([...mongod.opCodes].sort()).toEqual([2004, 2013]);
  });

  it("converges an existing user to the given password and exactly its one role, instead of failing", async () => {
    const result = await driver.ensureUser({ database: "lyc_contract1", user: "lyc_contract1", password: "second-password" });
    expect(result).toEqual({ isNew: false });
    expect(sent("updateUser").at(-1)).toMatchObject({
      db: "lyc_contract1",
      body: { updateUser: "lyc_contract1", pwd: "second-password", roles: [{ role: "readWrite", db: "lyc_contract1" }] },
    });
    expect(await canLogIn("lyc_contract1", "first-password", "lyc_contract1")).toBe(false);
    expect(await canLogIn("lyc_contract1", "second-password", "lyc_contract1")).toBe(true);
  });

  it("drops the user and the database, and treats a user that is already gone as done", async () => {
    expect(await driver.dropUser("lyc_contract1", "lyc_contract1")).toEqual({ existed: true });
    expect(await driver.dropUser("lyc_contract1", "lyc_contract1")).toEqual({ existed: false });
    await driver.dropDatabase("lyc_contract1");
    expect(sent("dropDatabase").at(-1)).toMatchObject({ db: "lyc_contract1", body: { dropDatabase: 1 } });
  });

  it("reports a refused administrator login as the step's error", async () => {
    const wrong = createMongoDriver(mongod.url(ADMIN.user, "not the password"));
    await expect(wrong.ensureUser({ database: "x", user: "x", password: "p" })).rejects.toThrow(/create user x on MongoDB: .*Authentication failed/);
    await wrong.close();
  });
});

describe("the MongoDB steps of the pipelines", () => {
  it("give a provisioned instance its user with the ledger's password, and deprovisioning drops both", async () => {
    const { instance } = await runningInstance("Mongo Academy");
    const { database, user } = namesOf(instance).mongodb;
    const ledger = ledgerFor(db, instance.id);
    const entry = (await ledger.find("mongodb.user", user))!;
    expect(entry.details).toMatchObject({ database, roles: [`readWrite@${database}`] });
    const { password } = ledger.secretsOf(entry)!;
    expect(sent("createUser").filter((c) => c.db === database)).toEqual([
      expect.objectContaining({ body: { createUser: user, pwd: password, roles: [{ role: "readWrite", db: database }] } }),
    ]);
    expect(await canLogIn(user, password, database)).toBe(true);

    const staff = await makeUser("staff");
    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain, reason: "test teardown" });
    await waitForStatus(instance.id, "deprovisioned");
    expect(sent("dropUser").filter((c) => c.db === database).map((c) => c.body)).toEqual([{ dropUser: user }]);
    expect(mongod.droppedDatabases).toContain(database);
    expect(mongod.users.has(`${database}.${user}`)).toBe(false);
  });
});
