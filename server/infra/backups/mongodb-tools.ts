// MongoDB's database tools, run as child processes with the instance's own account (readWrite on its database
// alone, from the ledger): `mongodump --archive --gzip` streams a database out, `mongorestore` loads it back into
// another name if need be. The URI with the password goes in a config file readable by the worker alone (the
// tools' --config), never on the command line where `ps` shows it. No mongod runs where this was built:
// tests/mongodb-backup-contract.test.ts pins the exact command against stand-in tools.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { runTool } from "./child-tool";

export const MONGODUMP_BIN = "mongodump";
export const MONGORESTORE_BIN = "mongorestore";

/** The instance's MongoDB account, as provisioning recorded it. */
export type MongoAccount = { hosts: string[]; database: string; user: string; password: string };

/** The user is defined in the instance's own database (jobs/steps/mongodb.ts), so it authenticates there. */
export function instanceMongoUri(account: MongoAccount): string {
  const credentials = `${encodeURIComponent(account.user)}:${encodeURIComponent(account.password)}`;
  return `mongodb://${credentials}@${account.hosts.join(",")}/?authSource=${encodeURIComponent(account.database)}`;
}

/** The same URI with the password masked, for notes and logs. */
export function maskedMongoUri(account: MongoAccount): string {
  return instanceMongoUri({ ...account, password: "***" }).replace(encodeURIComponent("***"), "***");
}

/** The tools' YAML config: a JSON string is a YAML double-quoted scalar, so any password survives as written. */
function configFile(account: MongoAccount) {
  return `uri: ${JSON.stringify(instanceMongoUri(account))}\n`;
}

/** `mongodump` of one database to standard output, as one gzipped archive. */
export function mongodumpArgs(database: string, configPath: string): string[] {
  return [`--config=${configPath}`, `--db=${database}`, "--archive", "--gzip"];
}

/** `mongorestore` of such an archive from standard input into `account.database`, replacing its collections. */
export function mongorestoreArgs(sourceDatabase: string, database: string, configPath: string): string[] {
  return [`--config=${configPath}`, "--archive", "--gzip", "--drop", `--nsInclude=${sourceDatabase}.*`, `--nsFrom=${sourceDatabase}.*`, `--nsTo=${database}.*`];
}

/** A private folder with the config file, removed once the tool has exited. */
async function withConfig(account: MongoAccount) {
  const folder = await mkdtemp(path.join(os.tmpdir(), "lyceum-mongo-"));
  const file = path.join(folder, "tool.yaml");
  await writeFile(file, configFile(account), { mode: 0o600 });
  return { file, remove: () => rm(folder, { recursive: true, force: true }) };
}

export async function dumpMongoDatabase(account: MongoAccount, signal?: AbortSignal) {
  const config = await withConfig(account);
  const { output, exited } = runTool(`dump MongoDB database ${account.database}`, MONGODUMP_BIN, mongodumpArgs(account.database, config.file), process.env, "read", signal);
  const done = exited.finally(config.remove);
  done.catch(() => {});
  return { stream: output!, exited: done };
}

export async function loadMongoDatabase(account: MongoAccount, sourceDatabase: string, signal?: AbortSignal) {
  const config = await withConfig(account);
  const { child, exited } = runTool(
    `load MongoDB database ${account.database}`,
    MONGORESTORE_BIN,
    mongorestoreArgs(sourceDatabase, account.database, config.file),
    process.env,
    "write",
    signal,
  );
  const done = exited.finally(config.remove);
  done.catch(() => {});
  return { stream: child.stdin!, exited: done };
}

/** The tool's `--version` line, or null when it is not installed on this worker. */
export async function mongoToolVersion(bin: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(bin, ["--version"]);
    return stdout.split("\n")[0]!.trim();
  } catch {
    return null;
  }
}
