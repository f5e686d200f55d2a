// Every quarter hour: instances on an end-of-life release are told once, then upgraded in their window after the
// deadline (jobs/upgrades/end-of-life.ts).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { upgradeEndOfLifeInstances } from "../upgrades/end-of-life";

export const upgrade_end_of_life_instances: Task = async (_payload, helpers) => {
  const report = await upgradeEndOfLifeInstances(db);
  if (report.notified || report.upgradesStarted) helpers.logger.info(`end of life: ${report.notified} owner(s) told, ${report.upgradesStarted} upgrade(s) started`);
  if (report.failures.length) throw new Error(`end-of-life upgrades: ${report.failures.join("; ")}`);
};
