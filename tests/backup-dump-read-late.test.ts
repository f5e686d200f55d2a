// A dump whose reader starts late: the backup opens its spool file (and, under load, waits for the CPU) before it
// reads the tool's output, and a small database's mariadb-dump has exited by then. Node discards a finished
// child's unread output, so such a backup stored an empty dump and verified it (the checksums were of nothing),
// and a restore from it emptied the database. Real mariadb-dump against the machine's MariaDB.
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpDatabase } from "@/server/infra/backups/mariadb-tools";

const ADMIN_URL = process.env.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306";
const DATABASE = `${process.env.LYCEUM_RESOURCE_PREFIX}_dump_late`;

let admin: mysql.Connection;

beforeAll(async () => {
  admin = await mysql.createConnection(ADMIN_URL);
  await admin.query(`CREATE DATABASE \`${DATABASE}\``);
  await admin.query(`CREATE TABLE \`${DATABASE}\`.grades (id INT PRIMARY KEY, score INT)`);
  await admin.query(`INSERT INTO \`${DATABASE}\`.grades VALUES (1, 90), (2, 75)`);
});

afterAll(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  await admin?.end();
});

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("a dump read after the tool has exited", () => {
  it.each([0, 300, 1_000])("still holds the whole dump when reading starts %i ms late", async (delayMs) => {
    const dump = dumpDatabase(ADMIN_URL, DATABASE);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const [sql] = await Promise.all([readAll(dump.stream), dump.exited]);
    expect(sql).toContain("CREATE TABLE `grades`");
    expect(sql).toContain("INSERT INTO `grades` VALUES");
    expect(sql).toMatch(/\(1,90\),\s*\(2,75\)/);
  });
});
