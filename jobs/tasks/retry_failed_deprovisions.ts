// Every 15 minutes (jobs/crontab.ts): failed deprovisions are retried, a few times each.
import type { Task } from "graphile-worker";
import { retryFailedDeprovisions } from "../failed-deprovisions";

export const retry_failed_deprovisions: Task = async () => {
  await retryFailedDeprovisions();
};
