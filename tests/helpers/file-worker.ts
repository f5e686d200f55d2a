// A real worker for one test file's pipelines, and the clean-up every such file needs afterwards: the local
// servers its deployments booted (detached processes that outlive the file), the drivers' pools and the database.
// Imported after isolatedDatabase(), like the modules it starts.
import { afterAll, beforeAll } from "vitest";
import { closeDb } from "@/db";
import { startWorker } from "@/jobs/start-worker";
import { closeInfrastructure } from "@/server/infra";
import { createLocalComputeDriver } from "@/server/infra/compute/local";

/** The local compute driver on this file's state folder (the same servers the worker's driver sees). */
export const localCompute = () => createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);

/** Starts a worker before the file's tests (after `beforeStart`, e.g. swapping in drivers) and tears down after. */
export function runWorkerForThisFile(options: { beforeStart?: () => void | Promise<void>; concurrency?: number } = {}) {
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  beforeAll(async () => {
    await options.beforeStart?.();
    worker = await startWorker({ concurrency: options.concurrency ?? 2, quiet: true });
  });
  afterAll(async () => {
    await worker?.stop();
    for (const server of await localCompute().listServers()) await localCompute().destroyServer(server.serverId);
    await closeInfrastructure();
    await closeDb();
  });
}
