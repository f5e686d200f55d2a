// Daily (jobs/crontab.ts): instances suspended past their grace stop their servers (server/instances/suspended-servers.ts).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { env } from "@/server/env";
import { infra } from "@/server/infra";
import { stopServersOfLongSuspendedInstances } from "@/server/instances/suspended-servers";

export const stop_suspended_servers: Task = async (_payload, helpers) => {
  // Without a load balancer each site server shows its own maintenance page: nothing may be stopped.
  if (infra().frontDoor.maintenancePageNeedsServer) return;
  const { started, deferred } = await stopServersOfLongSuspendedInstances(db, env().SUSPENDED_SERVERS_STOP_AFTER_DAYS, new Date());
  if (started.length || deferred.length) helpers.logger.info(`stopping the servers of ${started.length} long-suspended instance(s); deferred ${deferred.length} busy one(s)`);
};
