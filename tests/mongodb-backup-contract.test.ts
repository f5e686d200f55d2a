// MongoDB in backups, contract-tested: no mongod, mongodump or mongorestore runs on this machine. The instance is
// provisioned against the wire-protocol stand-in (tests/helpers/fake-mongod.ts), so its ledger holds a real
// MongoDB user; stand-in `mongodump`/`mongorestore` scripts on PATH record exactly how they were run (argv, the
// config file and its mode, stdin) and answer with known bytes. What is pinned: the exact argv, the URI with the
// instance's own credentials in a config file only the worker can read (never in argv), --archive --gzip, the
// database name; the archive stored, verified and loaded back byte for byte; and, with no tool installed, a
// backup that says MongoDB is not in it and the command it would have run.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeMongod } from "./helpers/fake-mongod";
import { isolatedDatabase } from "./helpers/isolated-database";

const mongod = await startFakeMongod({ user: "lyceum-admin", password: "admin secret" });
process.env.MONGODB_ADMIN_URL = mongod.url();
await isolatedDatabase();

const { db } = await import("@/db");
const { backups } = await import("@/db/schema");
const { ledgerFor } = await import("@/server/instances/ledger");
const { instanceMongoUri, mongodumpArgs, mongorestoreArgs } = await import("@/server/infra/backups/mongodb-tools");
const { apiAs } = await import("./helpers/accounts");
const { runningInstance } = await import("./helpers/instances");
const { operationEnded } = await import("./helpers/operations");
const { runWorkerForThisFile } = await import("./helpers/file-worker");
runWorkerForThisFile();

// The stand-in tools: each run records its argv (one per line), its config file and that file's mode, and stdin.
const tools = mkdtempSync(path.join(os.tmpdir(), "lyceum-mongo-tools-"));
const records = path.join(tools, "records");
mkdirSync(records);
const ARCHIVE = randomBytes(50_000);
writeFileSync(path.join(tools, "archive.bin"), ARCHIVE);
function standIn(name: string, body: string) {
  writeFileSync(
    path.join(tools, name),
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "${name} version: 100.10.0-standin"; exit 0; fi
run="${records}/${name}.$$"
mkdir "$run"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$run/argv"; done
config="\${1#--config=}"
cp "$config" "$run/config"
stat -c %a "$config" > "$run/mode"
${body}
`,
  );
  chmodSync(path.join(tools, name), 0o755);
}
standIn("mongodump", `cat "${tools}/archive.bin"`);
standIn("mongorestore", `cat > "$run/stdin"`);
const originalPath = process.env.PATH!;

afterAll(async () => {
  process.env.PATH = originalPath;
  rmSync(tools, { recursive: true, force: true });
  await mongod.close();
});

function runsOf(name: string) {
  return readdirSync(records)
    .filter((entry) => entry.startsWith(`${name}.`))
    .map((entry) => {
      const run = path.join(records, entry);
      const read = (file: string) => (existsSync(path.join(run, file)) ? readFileSync(path.join(run, file)) : null);
      return { argv: read("argv")!.toString("utf8").trimEnd().split("\n"), config: read("config")!.toString("utf8"), mode: read("mode")!.toString("utf8").trim(), stdin: read("stdin") };
    });
}

describe("MongoDB in backups (contract-tested against stand-in tools)", () => {
  it("builds the exact commands, with the password only in the config file's URI", () => {
    const account = { hosts: ["mongo-1:27017", "mongo-2:27017"], database: "lyc_ab12", user: "lyc_ab12", password: "p@ss/w:rd" };
    expect(instanceMongoUri(account)).toBe("mongodb://lyc_ab12:p%40ss%2Fw%3Ard@mongo-1:27017,mongo-2:27017/?authSource=lyc_ab12");
    expect(mongodumpArgs("lyc_ab12", "/run/x/tool.yaml")).toEqual(["--config=/run/x/tool.yaml", "--db=lyc_ab12", "--archive", "--gzip"]);
    expect(mongorestoreArgs("lyc_src", "lyc_ab12", "/run/x/tool.yaml")).toEqual([
      "--config=/run/x/tool.yaml",
      "--archive",
      "--gzip",
      "--drop",
      "--nsInclude=lyc_src.*",
      "--nsFrom=lyc_src.*",
      "--nsTo=lyc_ab12.*",
    ]);
  });

  it("dumps the instance's database with its own account into the backup, and loads the same bytes back on restore", async () => {
    process.env.PATH = `${tools}:${originalPath}`;
    const running = await runningInstance("Mongo Backed School");
    const id = running.instance.id;
    const ledger = ledgerFor(db, id);
    const [user] = await ledger.list("mongodb.user");
    expect(user).toBeDefined();
    const account = { hosts: user!.details.hosts, database: user!.details.database, user: user!.externalId, password: ledger.secretsOf(user!)!.password };
    expect(account.hosts).toEqual([new URL(mongod.url()).host]);

    const { operationId } = await apiAs(running.owner).instances.backUp({ id });
    expect(await operationEnded(operationId)).toMatchObject({ status: "succeeded" });
    const [backup] = await db.select().from(backups).where(eq(backups.operationId, operationId));
    expect(backup).toMatchObject({ status: "verified" });
    expect(backup!.manifest.mongodb).toMatchObject({ database: account.database, dumpTool: "mongodump version: 100.10.0-standin", artifact: { dataBytes: ARCHIVE.length } });
    expect(backup!.manifest.notes.filter((note) => note.includes("MongoDB"))).toEqual([]);

    const [dump] = runsOf("mongodump");
    expect(dump!.argv).toEqual([dump!.argv[0], `--db=${account.database}`, "--archive", "--gzip"]);
    expect(dump!.argv[0]).toMatch(/^--config=.*\/lyceum-mongo-[^/]+\/tool\.yaml$/);
    expect(dump!.argv.join(" ")).not.toContain(account.password);
    expect(dump!.config).toBe(`uri: ${JSON.stringify(instanceMongoUri(account))}\n`);
    expect(dump!.mode).toBe("600");
    // The config file with the password is gone once the tool has exited.
    expect(existsSync(path.dirname(dump!.argv[0]!.slice("--config=".length)))).toBe(false);

    const restore = await apiAs(running.owner).instances.restore({ id, backupId: backup!.id, confirm: running.instance.subdomain! });
    expect(await operationEnded(restore.operationId)).toMatchObject({ status: "succeeded" });
    // One load: the restore's own safety backup ran mongodump a second time, never mongorestore.
    expect(runsOf("mongodump")).toHaveLength(2);
    const loads = runsOf("mongorestore");
    expect(loads).toHaveLength(1);
    const [load] = loads;
    expect(load!.argv.slice(1)).toEqual(["--archive", "--gzip", "--drop", `--nsInclude=${account.database}.*`, `--nsFrom=${account.database}.*`, `--nsTo=${account.database}.*`]);
    expect(load!.config).toBe(`uri: ${JSON.stringify(instanceMongoUri(account))}\n`);
    expect(load!.mode).toBe("600");
    expect(load!.stdin!.equals(ARCHIVE)).toBe(true);
  }, 240_000);

  it("says, in the manifest, that MongoDB is not in a backup taken without mongodump, and the command it would run", async () => {
    process.env.PATH = originalPath;
    const running = await runningInstance("Mongo Toolless School");
    const [user] = await ledgerFor(db, running.instance.id).list("mongodb.user");
    const { operationId } = await apiAs(running.owner).instances.backUp({ id: running.instance.id });
    expect(await operationEnded(operationId)).toMatchObject({ status: "succeeded" });
    const [backup] = await db.select().from(backups).where(eq(backups.operationId, operationId));
    expect(backup!.manifest.mongodb).toBeNull();
    const database = user!.details.database;
    const hosts = user!.details.hosts.join(",");
    expect(backup!.manifest.notes).toContain(
      `MongoDB database ${database} is not in this backup: mongodump is not installed on the worker (it would run mongodump --config=<config with uri mongodb://${user!.externalId}:***@${hosts}/?authSource=${database}> --db=${database} --archive --gzip).`,
    );
  }, 240_000);
});
