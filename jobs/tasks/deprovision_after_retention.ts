// Runs when an ended subscription's retention period is over: unless staff kept the instance (or the
// subscription is somehow live again), its deprovisioning starts.
import type { Task } from "graphile-worker";
import { syncSubscriptionOfInstance } from "@/server/billing/processing";
import { jobPayloads } from "@/server/queue/payloads";

export const deprovision_after_retention: Task = async (payload, helpers) => {
  const { instanceId } = jobPayloads.deprovision_after_retention.parse(payload);
  const result = await syncSubscriptionOfInstance(instanceId);
  helpers.logger.info(`retention period of ${instanceId}: ${result?.outcome ?? "no subscription"}`);
};
