// 7. Backup and restore throughput of a MariaDB database (500 MB of rows; 20 MB under --smoke): Lyceum's path
// (mariadb-dump → gzip → AES-256-GCM → spool → the backup bucket; and back: the bucket → checks → gunzip →
// mariadb) against `mariadb-dump | gzip` into a file and `gunzip | mariadb` from it, alone, in the same run.
// MB/s count the dump's SQL bytes either way.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import mysql from "mysql2/promise";
import { env } from "@/server/env";
import { newSealedBackupKey, openBackupKey } from "@/server/backups/keys";
import { backupStore } from "@/server/backups/store";
import { dumpDatabase, loadDatabase } from "@/server/infra/backups/mariadb-tools";
import type { Scenario } from "../lib/context";
import { medianOf, type Figure } from "../lib/report";

const ROW_BYTES = 512;

/** The admin URL's connection for the shell baseline (password through the environment, as the tools get it). */
function shellConnection(adminUrl: string) {
  const url = new URL(adminUrl);
  return {
    args: `--host ${url.hostname} --port ${url.port || "3306"} --user ${decodeURIComponent(url.username)} --protocol TCP`,
    env: { ...process.env, MYSQL_PWD: decodeURIComponent(url.password) },
  };
}

function sh(script: string, environment: NodeJS.ProcessEnv) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", script], { env: environment, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${script}: exited ${code}: ${stderr.slice(0, 500)}`))));
  });
}

async function timed(work: () => Promise<unknown>) {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

export const backupThroughput: Scenario = {
  name: "7. backup throughput",
  async run(ctx) {
    const megabytes = ctx.isSmoke ? 20 : 500;
    const adminUrl = env().MYSQL_ADMIN_URL;
    const admin = await mysql.createConnection({ uri: adminUrl, multipleStatements: true });
    const tag = randomBytes(4).toString("hex");
    const source = `lyceum_bench_backup_${tag}`;
    const target = `lyceum_bench_restore_${tag}`;
    const folder = mkdtempSync(path.join(os.tmpdir(), "lyceum-bench-backup-"));
    const shell = shellConnection(adminUrl);
    const store = backupStore();
    const figures = { backup: [] as number[], backupBase: [] as number[], restore: [] as number[], restoreBase: [] as number[] };
    try {
      // Rows of hex (compressible about as much as a real dump's text), made by the server itself.
      const rows = Math.ceil((megabytes * 1_000_000) / ROW_BYTES);
      await admin.query(`CREATE DATABASE \`${source}\`; CREATE DATABASE \`${target}\``);
      await admin.query(`CREATE TABLE \`${source}\`.rows_ (id INT PRIMARY KEY, body VARCHAR(${ROW_BYTES})) ENGINE=InnoDB`);
      for (let from = 1; from <= rows; from += 100_000) {
        const to = Math.min(rows, from + 99_999);
        await admin.query(
          `INSERT INTO \`${source}\`.rows_ SELECT seq, LEFT(REPEAT(CONCAT(SHA2(seq, 256), MD5(seq), SHA2(seq * 7, 512)), 3), ${ROW_BYTES - 20}) FROM \`${source}\`.seq_${from}_to_${to}`,
        );
      }
      ctx.log(`${megabytes} MB of rows in ${source}`);
      const row = { id: crypto.randomUUID(), instanceId: crypto.randomUUID() };
      const dataKey = openBackupKey({ ...row, keySealed: newSealedBackupKey(row) });
      const file = path.join(folder, "dump.sql.gz");
      let sqlBytes = 0;
      for (let r = 0; r < ctx.runs; r++) {
        const key = `bench/${tag}/${r}/mysql.sql.gz.enc`;
        const backupBase = await timed(() => sh(`mariadb-dump ${shell.args} --single-transaction --routines --triggers --events --hex-blob --skip-dump-date --default-character-set=utf8mb4 ${source} | gzip > ${file}`, shell.env));
        let artifact: Awaited<ReturnType<typeof store.write>> | undefined;
        const backup = await timed(async () => {
          const dump = dumpDatabase(adminUrl, source);
          [artifact] = await Promise.all([store.write(key, dump.stream, dataKey), dump.exited]);
        });
        sqlBytes = artifact!.dataBytes;
        await admin.query(`DROP DATABASE \`${target}\`; CREATE DATABASE \`${target}\``);
        const restoreBase = await timed(() => sh(`gunzip -c ${file} | mariadb ${shell.args} --default-character-set=utf8mb4 ${target}`, shell.env));
        await admin.query(`DROP DATABASE \`${target}\`; CREATE DATABASE \`${target}\``);
        const restore = await timed(async () => {
          const load = loadDatabase(adminUrl, target);
          await Promise.all([store.read(artifact!, dataKey, load.stream as Writable), load.exited]);
        });
        const [[counted]] = (await admin.query(`SELECT COUNT(*) AS n FROM \`${target}\`.rows_`)) as unknown as [[{ n: number }]];
        if (Number(counted.n) !== rows) throw new Error(`the restored copy has ${counted.n} rows, not ${rows}`);
        await store.remove(key);
        const mb = sqlBytes / 1_000_000;
        figures.backup.push(mb / backup);
        figures.backupBase.push(mb / backupBase);
        figures.restore.push(mb / restore);
        figures.restoreBase.push(mb / restoreBase);
        ctx.log(`run ${r + 1}: backup ${(mb / backup).toFixed(1)} MB/s (dump | gzip ${(mb / backupBase).toFixed(1)}), restore ${(mb / restore).toFixed(1)} MB/s (gunzip | mariadb ${(mb / restoreBase).toFixed(1)})`);
      }
      const size = `${Math.round(sqlBytes / 1_000_000)} MB of SQL`;
      const meets = (runs: number[], base: number[]) => medianOf(runs) >= 0.7 * medianOf(base);
      const result: Figure[] = [
        {
          scenario: "7. backup throughput",
          figure: `backup of a MariaDB database (${size}): dump, gzip, encrypt, store`,
          unit: "MB/s",
          runs: figures.backup,
          baseline: { label: "mariadb-dump | gzip", runs: figures.backupBase },
          goal: "≥ 0.7× baseline",
          pass: meets(figures.backup, figures.backupBase),
        },
        {
          scenario: "7. backup throughput",
          figure: `restore of it: read, verify, decrypt, gunzip, load`,
          unit: "MB/s",
          runs: figures.restore,
          baseline: { label: "gunzip | mariadb", runs: figures.restoreBase },
          goal: "≥ 0.7× baseline",
          pass: meets(figures.restore, figures.restoreBase),
        },
      ];
      return result;
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${source}\`; DROP DATABASE IF EXISTS \`${target}\``).catch(() => {});
      await admin.end();
      rmSync(folder, { recursive: true, force: true });
    }
  },
};
