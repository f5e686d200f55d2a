// A worker process is SIGKILLed in the middle of a backup: its MySQL dump is spooled and on its way to the backup
// bucket (the upload held on the wire). The dead worker leaves no spool file on its disk (a finally block does not
// run under SIGKILL; the spool is unlinked as soon as it is open), and the next worker finishes the same backup:
// one backup row for the operation, verified, and exactly the manifest's artifacts in the store, none twice.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "./helpers/fault-proxy";
import { isolatedDatabase } from "./helpers/isolated-database";
import { exited, workerProcesses } from "./helpers/worker-processes";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { backups, operationSteps } = await import("@/db/schema");
const { artifactsOf } = await import("@/server/backups/manifest");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { platformS3Client } = await import("@/server/infra/object-storage/client");
const { apiAs } = await import("./helpers/accounts");
const { pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const { operationEnded } = await import("./helpers/operations");

const s3Url = new URL(process.env.S3_ENDPOINT!);
const s3Proxy = await startFaultProxy({ host: s3Url.hostname, port: Number(s3Url.port) });
const workerTmp = mkdtempSync(path.join(os.tmpdir(), "lyceum-backup-crash-tmp-"));
const workers = workerProcesses();

afterAll(async () => {
  s3Proxy.pass();
  await workers.stopAll();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await s3Proxy.close();
  await closeInfrastructure();
  await closeDb();
  rmSync(workerTmp, { recursive: true, force: true });
});

const spools = () => readdirSync(workerTmp).filter((name) => name.startsWith("lyceum-backup-"));

describe("a worker killed while a backup's dump is on its way to the store", () => {
  it("leaves no spool behind, and the next worker finishes that one backup, verified, with no artifact twice", { timeout: 300_000 }, async () => {
    // The first worker talks to S3 through the proxy and spools into a folder the test can look into.
    const first = workers.spawn({ S3_ENDPOINT: s3Proxy.urlFor(s3Url.toString()).replace(/\/$/, ""), TMPDIR: workerTmp });
    const { owner, instance } = await registeredInstance(undefined, "Backup Crash Academy");
    await pay(instance.id);
    await waitForStatus(instance.id, "running", 150_000).catch((error: Error) => {
      throw new Error(`${error.message}\nworker said:\n${first.output.join("")}`);
    });

    const bucket = process.env.LYCEUM_BACKUP_BUCKET!;
    const isUploading = s3Proxy.holdWhen((chunk) => chunk.includes(`PUT /${bucket}/instances/${instance.id}/`));
    const { operationId } = await apiAs(owner).instances.backUp({ id: instance.id });
    await isUploading;
    first.child.kill("SIGKILL");
    await exited(first.child);
    expect(spools()).toEqual([]);
    s3Proxy.pass();

    const second = workers.spawn();
    const finished = await operationEnded(operationId, 180_000).catch((error: Error) => {
      throw new Error(`${error.message}\nsecond worker said:\n${second.output.join("")}`);
    });
    expect(finished).toMatchObject({ status: "succeeded" });
    const [dumpStep] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, operationId), eq(operationSteps.step, "backup_mysql")));
    expect(dumpStep).toMatchObject({ status: "succeeded", attempts: 2 });

    const taken = await db.select().from(backups).where(eq(backups.operationId, operationId));
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ status: "verified" });
    const listed = await platformS3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `instances/${instance.id}/` }));
    const stored = (listed.Contents ?? []).map((object) => object.Key).sort();
    expect(stored).toEqual(artifactsOf(taken[0]!.manifest).map((artifact) => artifact.key).sort());
    expect(stored.some((key) => key!.includes("/mysql/"))).toBe(true);
  });
});
