// The migration that brought organisations, run on a database that already holds accounts and instances (as a
// production portal does): each account gets its personal organisation as its only owner, its instances move into
// it, and what each account sees through the API is what it owned before.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";

const MIGRATION = "0026_organisations";
const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/** The committed migrations up to (not including) `tag`, in a folder of their own. */
function migrationsBefore(tag: string) {
  const folder = mkdtempSync(path.join(tmpdir(), "lyceum-migrations-"));
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = path.join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

const serverUrl = inject("adminDatabaseUrl");
const name = `${inject("databasePrefix")}_orgmig_${randomUUID().slice(0, 8)}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
const olderFolder = migrationsBefore(MIGRATION);

afterAll(async () => {
  await sql.end();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
  rmSync(olderFolder, { recursive: true, force: true });
});

describe(`migration ${MIGRATION}`, () => {
  it("gives every existing account a personal organisation it owns, and moves its instances into it", { timeout: 120_000 }, async () => {
    await migrate(drizzle(sql), { migrationsFolder: olderFolder });
    const [ada, grace, idle] = [randomUUID(), randomUUID(), randomUUID()];
    await sql`insert into users (id, email, name) values (${ada}, 'ada@example.com', 'Ada'), (${grace}, 'grace@example.com', null), (${idle}, 'idle@example.com', '')`;
    await sql`insert into instances (owner_id, name, subdomain, status) values
      (${ada}, 'Ada One', 'ada-one', 'running'), (${ada}, 'Ada Two', null, 'draft'), (${grace}, 'Grace', 'grace', 'awaiting_payment')`;

    await migrate(drizzle(sql), { migrationsFolder });

    const organisations = await sql<{ id: string; name: string; personal_of: string }[]>`select id, name, personal_of from organisations order by name`;
    expect(organisations.map(({ name, personal_of }) => ({ name, personal_of }))).toEqual([
      { name: "Ada", personal_of: ada },
      { name: "grace@example.com", personal_of: grace },
      { name: "idle@example.com", personal_of: idle },
    ]);
    const members = await sql`select organisation_id, user_id, role from memberships order by user_id`;
    expect(members).toHaveLength(3);
    for (const member of members) {
      expect(organisations.find((organisation) => organisation.id === member.organisation_id)?.personal_of).toBe(member.user_id);
      expect(member.role).toBe("owner");
    }
    const placed = await sql<{ name: string; owner_id: string; personal_of: string }[]>`
      select instances.name, instances.owner_id, organisations.personal_of
      from instances join organisations on organisations.id = instances.organisation_id order by instances.name`;
    expect(placed).toHaveLength(3);
    for (const row of placed) expect(row.personal_of).toBe(row.owner_id);
    const [column] = await sql`select is_nullable from information_schema.columns where table_name = 'instances' and column_name = 'organisation_id'`;
    expect(column?.is_nullable).toBe("NO");
  });
});
