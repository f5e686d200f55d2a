// Every minute, and at once when staff start a rollout: moves fleet rollouts on (jobs/upgrades/advance-rollouts.ts).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { advanceUpgradeRollouts } from "../upgrades/advance-rollouts";

export const advance_upgrade_rollouts: Task = async (_payload, helpers) => {
  const report = await advanceUpgradeRollouts(db);
  if (report.upgradesStarted || report.wavesStarted || report.stopped || report.completed) {
    helpers.logger.info(`rollouts: ${report.wavesStarted} wave(s) and ${report.upgradesStarted} upgrade(s) started, ${report.stopped} stopped, ${report.completed} completed`);
  }
  if (report.failures.length) throw new Error(`could not advance ${report.failures.length} rollout(s): ${report.failures.join("; ")}`);
};
