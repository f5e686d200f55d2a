// Daily (jobs/crontab.ts): measures each instance's storage, learners and courses against its plan and enforces the
// storage quota (server/usage/measure.ts). An instance that could not be measured fails the job after the others
// ran, so graphile-worker retries it (a second measurement the same day announces nothing twice).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { infra } from "@/server/infra";
import { measureAllInstances } from "@/server/usage/measure";

export const measure_usage: Task = async (_payload, helpers) => {
  const { measured, failed } = await measureAllInstances(db, infra(), new Date(), helpers.abortSignal);
  helpers.logger.info(`measured the usage of ${measured} instance(s)`);
  if (failed.length) {
    throw new Error(`could not measure ${failed.length} instance(s): ${failed.map(({ instanceId, error }) => `${instanceId}: ${error.message}`).join("; ")}`);
  }
};
