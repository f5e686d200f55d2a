// Every five minutes: compares each subscription's desired state with its instance and starts what closes the gap
// (server/billing/desired-state.ts). Safe to run twice or beside a webhook: every repair re-checks under locks.
import type { Task } from "graphile-worker";
import { reassertBillingState } from "@/server/billing/desired-state";
import { jobPayloads } from "@/server/queue/payloads";

export const reassert_billing_state: Task = async (payload, helpers) => {
  jobPayloads.reassert_billing_state.parse(payload);
  const repairs = await reassertBillingState();
  for (const repair of repairs) helpers.logger.info(`billing state of ${repair.instanceId}: ${repair.repair}: ${repair.outcome}`);
};
