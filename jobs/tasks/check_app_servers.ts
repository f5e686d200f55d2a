// Every minute (jobs/crontab.ts): each serving instance's application servers are checked and one failing longer
// than APP_SERVER_REPLACE_AFTER_SECONDS is replaced (server/deployments/app-server-health.ts).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { checkAppServers } from "@/server/deployments/app-server-health";
import { env } from "@/server/env";

export const check_app_servers: Task = async (_payload, helpers) => {
  const sweep = await checkAppServers(db, { replaceAfterSeconds: env().APP_SERVER_REPLACE_AFTER_SECONDS });
  if (sweep.failing || sweep.replacementsStarted.length) {
    helpers.logger.info(`${sweep.failing} of ${sweep.checked} application server(s) failing; replacing on ${sweep.replacementsStarted.length} instance(s), ${sweep.deferred.length} busy`);
  }
};
