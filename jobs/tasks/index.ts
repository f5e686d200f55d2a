import type { TaskList } from "graphile-worker";
import type { JobName } from "@/server/jobs/payloads";
import { provision_instance } from "./provision_instance";
import { reconcile_compute } from "./reconcile_compute";
import { reconfigure_instance } from "./reconfigure_instance";
import { send_email } from "./send_email";
import { verify_domain } from "./verify_domain";

export const taskList: Partial<Record<JobName, TaskList[string]>> = {
  provision_instance,
  reconcile_compute,
  reconfigure_instance,
  send_email,
  verify_domain,
};
