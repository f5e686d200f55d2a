// An owner's download of a backup: one tar, decrypted by the portal, whose SQL dump holds the rows and whose files
// are the bucket's objects byte for byte; anyone else learns nothing of it.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { backups, instanceOperations } = await import("@/db/schema");
const { backupDownload } = await import("@/server/backups/download");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { runningInstance } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");
const { runWorkerForThisFile } = await import("./helpers/file-worker");
runWorkerForThisFile();

const run = promisify(execFile);

describe("downloading a backup", () => {
  it("gives the owner a tar of the SQL dumps, the vhost definitions and the objects; another client gets a 404", async () => {
    const running = await runningInstance("Downloading School");
    const id = running.instance.id;
    const bucket = running.names.objectStorage.bucket;
    const database = running.names.mysql.databases.find((candidate) => candidate.suffix === "edxapp")!.name;
    await services.withMysqlAdmin(async (connection) => {
      await connection.query(`CREATE TABLE \`${database}\`.notes (id INT PRIMARY KEY, body VARCHAR(100))`);
      await connection.query(`INSERT INTO \`${database}\`.notes VALUES (1, 'kept in the download')`);
    });
    const video = randomBytes(300_000);
    const root = services.s3As();
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: "media/lesson one.mp4", Body: video }));
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: `deep/${"a".repeat(120)}/file.txt`, Body: "a long name" }));
    root.destroy();

    const { operationId } = await apiAs(running.owner).instances.backUp({ id });
    await eventually(async () => {
      const [row] = await db.select().from(instanceOperations).where(eq(instanceOperations.id, operationId));
      return row?.status === "succeeded" ? row : undefined;
    }, 120_000, "the backup");
    const [backup] = await db.select().from(backups).where(eq(backups.operationId, operationId));

    const download = await backupDownload(running.owner, id, backup!.id);
    if ("refusal" in download) throw new Error(download.refusal.message);
    expect(download.fileName).toMatch(new RegExp(`^${running.instance.subdomain}-backup-.*\\.tar$`));
    const folder = await mkdtemp(path.join(os.tmpdir(), "lyceum-download-"));
    await pipeline(download.archive, createWriteStream(path.join(folder, "backup.tar")));
    await run("tar", ["-xf", "backup.tar"], { cwd: folder });

    expect((await readFile(path.join(folder, "objects/media/lesson one.mp4"))).equals(video)).toBe(true);
    expect(await readFile(path.join(folder, `objects/deep/${"a".repeat(120)}/file.txt`), "utf8")).toBe("a long name");
    expect(await readFile(path.join(folder, "mysql/edxapp.sql"), "utf8")).toContain("kept in the download");
    expect(JSON.parse(await readFile(path.join(folder, "rabbitmq/definitions.json"), "utf8"))).toHaveProperty("queues");
    const manifest = JSON.parse(await readFile(path.join(folder, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ backupId: backup!.id, instanceId: id });
    expect((await readdir(path.join(folder, "mysql"))).length).toBe(running.names.mysql.databases.length);

    // Another client, a made-up backup id, or a failed backup: refused.
    expect(await backupDownload(await makeUser(), id, backup!.id)).toEqual({ refusal: { status: 404, message: "No such backup of this instance." } });
    expect(await backupDownload(null, id, backup!.id)).toMatchObject({ refusal: { status: 404 } });
    expect(await backupDownload(running.owner, id, "not-a-uuid")).toMatchObject({ refusal: { status: 404 } });
    await db.update(backups).set({ status: "failed" }).where(eq(backups.id, backup!.id));
    expect(await backupDownload(running.owner, id, backup!.id)).toMatchObject({ refusal: { status: 409 } });
  });
});
