"use client";
// Staff only: tear the instance down, after typing its subdomain. Progress streams into the page like provisioning.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceStatus } from "@/db/schema";

const DEPROVISIONABLE: InstanceStatus[] = ["running", "suspended", "failed"];

export function DeprovisionControl({ instanceId, subdomain, status }: { instanceId: string; subdomain: string; status: InstanceStatus }) {
  const trpc = useTRPC();
  const [confirmation, setConfirmation] = useState("");
  const deprovision = useMutation(trpc.instances.deprovision.mutationOptions());
  if (!DEPROVISIONABLE.includes(status)) return null;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    deprovision.mutate({ id: instanceId, confirmation });
  }

  const isConfirmed = confirmation.trim().toLowerCase() === subdomain;
  return (
    <section className="card stack danger-zone" aria-labelledby="deprovision-heading">
      <h2 id="deprovision-heading" className="mt-0">
        Deprovision (staff)
      </h2>
      <p>
        Stops the application servers and deletes the instance&apos;s databases, users, message queues and storage bucket,
        with all their data. This cannot be undone.
      </p>
      <form onSubmit={onSubmit} className="stack" noValidate>
        <Field
          label={`Type the subdomain "${subdomain}" to confirm`}
          name="confirmation"
          value={confirmation}
          onChange={(e) => setConfirmation(e.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          error={deprovision.error?.message}
        />
        <div>
          <button type="submit" className="button button-danger" disabled={!isConfirmed || deprovision.isPending || deprovision.isSuccess}>
            {deprovision.isPending || deprovision.isSuccess ? "Deprovisioning…" : "Deprovision instance"}
          </button>
        </div>
      </form>
    </section>
  );
}
