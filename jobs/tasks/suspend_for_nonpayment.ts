// Runs when an instance's grace period after a failed payment ends. It re-reads the subscription: paid
// meanwhile, nothing happens; still unpaid, the instance is suspended.
import type { Task } from "graphile-worker";
import { syncSubscriptionOfInstance } from "@/server/billing/processing";
import { jobPayloads } from "@/server/queue/payloads";

export const suspend_for_nonpayment: Task = async (payload, helpers) => {
  const { instanceId } = jobPayloads.suspend_for_nonpayment.parse(payload);
  const result = await syncSubscriptionOfInstance(instanceId);
  helpers.logger.info(`grace period of ${instanceId}: ${result?.outcome ?? "no subscription"}`);
};
