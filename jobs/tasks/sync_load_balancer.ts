// Re-renders the load balancer from the database and applies it when it differs (every minute, from the crontab).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { infra } from "@/server/infra";
import { jobPayloads } from "@/server/queue/payloads";
import { syncLoadBalancerFromDb } from "../steps/load-balancer";

export const sync_load_balancer: Task = async (payload, helpers) => {
  jobPayloads.sync_load_balancer.parse(payload);
  const result = await syncLoadBalancerFromDb({ db, infra: infra(), signal: helpers.abortSignal ?? new AbortController().signal });
  helpers.logger.debug(result);
};
