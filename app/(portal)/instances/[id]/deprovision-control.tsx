"use client";
// Staff only: tear the instance down through the audited staff action (a reason, and the subdomain typed to
// confirm). Its progress streams into this page like provisioning does.
import { useMutation } from "@tanstack/react-query";
import { StaffActionForm } from "@/app/(staff)/staff/_components/staff-action-form";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceStatus } from "@/db/schema";

const DEPROVISIONABLE: InstanceStatus[] = ["running", "suspended", "failed"];

export function DeprovisionControl({ instanceId, subdomain, status }: { instanceId: string; subdomain: string; status: InstanceStatus }) {
  const trpc = useTRPC();
  const deprovision = useMutation(trpc.staff.deprovision.mutationOptions());
  if (!DEPROVISIONABLE.includes(status)) return null;
  return (
    <section className="card stack danger-zone" aria-labelledby="deprovision-heading">
      <h2 id="deprovision-heading" className="mt-0">
        Deprovision (staff)
      </h2>
      <StaffActionForm
        title="Deprovision the instance"
        description="Stops the application servers and deletes the instance's databases, users, message queues and storage bucket, with all their data. This cannot be undone."
        submitLabel="Deprovision instance"
        confirmText={subdomain}
        perform={({ reason, confirm }) => deprovision.mutateAsync({ instanceId, confirm, reason })}
      />
    </section>
  );
}
