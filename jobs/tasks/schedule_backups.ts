// Every quarter hour (jobs/crontab.ts): starts the daily backups whose time has come (server/backups/schedule.ts).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { startDueBackups } from "@/server/backups/schedule";

export const schedule_backups: Task = async (_payload, helpers) => {
  const { started, deferred } = await startDueBackups(db, new Date());
  if (started.length || deferred.length) helpers.logger.info(`started ${started.length} daily backup(s); deferred ${deferred.length} of busy instance(s)`);
};
