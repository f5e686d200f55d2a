// Daily (jobs/crontab.ts): deletes the backups outside each instance's plan retention, objects and rows.
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { pruneBackups } from "../backups/prune";

export const prune_backups: Task = async (_payload, helpers) => {
  const { deleted } = await pruneBackups(db, new Date(), helpers.abortSignal);
  helpers.logger.info(`pruned ${deleted.length} backup(s) outside their plan's retention (${deleted.reduce((total, d) => total + d.objects, 0)} objects)`);
};
