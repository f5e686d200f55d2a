"use client";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";
import { StaffActionForm } from "../_components/staff-action-form";

/** Re-queue one failed job (audited; refused, with the reason, when re-running it would do nothing). */
export function RequeueJobForm({ jobId, task }: { jobId: string; task: string }) {
  const trpc = useTRPC();
  const requeue = useMutation(trpc.staff.requeueJob.mutationOptions());
  return (
    <StaffActionForm
      title={`Re-queue job ${jobId}`}
      description={`Runs this ${task} job again now, with a fresh attempt count.`}
      submitLabel="Re-queue"
      perform={({ reason }) => requeue.mutateAsync({ jobId, reason })}
    />
  );
}
