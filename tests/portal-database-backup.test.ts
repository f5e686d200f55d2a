// `npm run db:backup` and `npm run db:restore` against a scratch database: the dump brings back rows deleted and
// removes rows made since, and loads into an empty database of a fresh server alike.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

const scratchUrl = await isolatedDatabase();
const run = promisify(execFile);

function npmRun(script: string, args: string[], databaseUrl: string) {
  return run("npm", ["run", "--silent", script, "--", ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 });
}

async function emails(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ email: string }[]>`select email from users order by email`).map((row) => row.email);
  } finally {
    await sql.end();
  }
}

describe("the portal database's own backup", () => {
  it("dumps with db:backup and puts the database back as it was with db:restore, in place or into an empty database", async () => {
    const sql = postgres(scratchUrl, { max: 1, onnotice: () => {} });
    await sql`insert into users (id, email, name) values (${randomUUID()}, 'ada@example.com', 'Ada'), (${randomUUID()}, 'grace@example.com', 'Grace')`;
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "lyceum-pgdump-")), "portal.dump");
    const dumped = await npmRun("db:backup", [file], scratchUrl);
    expect(dumped.stdout).toContain(`Dumped the portal database to ${file}`);

    // Changes after the dump: one row deleted, one made.
    await sql`delete from users where email = 'ada@example.com'`;
    await sql`insert into users (id, email, name) values (${randomUUID()}, 'later@example.com', 'Later')`;
    await sql.end();
    await npmRun("db:restore", [file], scratchUrl);
    expect(await emails(scratchUrl)).toEqual(["ada@example.com", "grace@example.com"]);

    // Into an empty database, as after losing the server.
    const admin = postgres(inject("adminDatabaseUrl"), { max: 1, onnotice: () => {} });
    const name = `${inject("databasePrefix")}_restore_${randomUUID().slice(0, 8)}`;
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const emptyUrl = new URL(scratchUrl);
    emptyUrl.pathname = `/${name}`;
    await npmRun("db:restore", [file], emptyUrl.toString());
    expect(await emails(emptyUrl.toString())).toEqual(["ada@example.com", "grace@example.com"]);
  });

  it("refuses a file that is not a dump, and changes nothing", async () => {
    const before = await emails(scratchUrl);
    const failure = await npmRun("db:restore", [path.join(process.cwd(), "package.json")], scratchUrl).catch((error: { stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toMatch(/pg_restore exited with 1/);
    expect(await emails(scratchUrl)).toEqual(before);
  });
});
