// `npm run worker` for the billing chaos scenario (tests/faults/billing-chaos.test.ts), run as a separate process so
// that the test can SIGKILL it. Every task is ours, except the work billing only starts: the pipelines of the
// operations it records, the plan change it queues and the emails it sends are held (their jobs fail and stay in the
// queue), and the stranded-operation sweep does nothing. What billing decided then stays readable and equal between
// the scenario's two sets of instances, whichever worker ran what when; the pipelines have fault scenarios of their own.
import type { Task } from "graphile-worker";
import { closeDb } from "@/db";
import { startWorker } from "@/jobs/start-worker";
import { closeInfrastructure } from "@/server/infra";

const HELD_TASKS = [
  "provision_instance",
  "suspend_instance",
  "resume_instance",
  "deprovision_instance",
  "reconfigure_instance",
  "redeploy_instance",
  "apply_plan_change",
  "send_email",
] as const;

const held: Task = async () => {
  throw new Error("held by the billing chaos scenario: only billing's decisions are under test");
};

async function main() {
  const worker = await startWorker({
    quiet: true,
    extraTasks: { ...Object.fromEntries(HELD_TASKS.map((task) => [task, held])), fail_stranded_operations: async () => {} },
  });
  process.on("SIGTERM", () => {
    void worker
      .stop()
      .then(() => closeInfrastructure())
      .then(() => closeDb())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
