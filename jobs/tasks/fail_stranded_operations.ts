// Every minute (jobs/crontab.ts): operations whose job will never run again are failed, releasing the instance.
import type { Task } from "graphile-worker";
import { failStrandedOperations } from "../stranded-operations";

export const fail_stranded_operations: Task = async () => {
  await failStrandedOperations();
};
