// Every quarter hour: upgrades whose fallback time is over lose their old deployment (jobs/upgrades/retire-fallbacks.ts).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { infra } from "@/server/infra";
import { retireUpgradeFallbacks } from "../upgrades/retire-fallbacks";

export const retire_upgrade_fallbacks: Task = async (_payload, helpers) => {
  const report = await retireUpgradeFallbacks(db, infra().compute);
  helpers.logger.info(`settled ${report.settled} upgrade(s) whose fallback time was over`);
  if (report.failures.length) throw new Error(`could not retire ${report.failures.length} fallback(s): ${report.failures.join("; ")}`);
};
