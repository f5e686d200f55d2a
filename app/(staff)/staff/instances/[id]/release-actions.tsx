"use client";
// Staff's release actions on one instance (audited): upgrade to any release the catalogue allows, a preview too, and
// roll the last upgrade back (the subdomain typed when that restores the pre-upgrade backup).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SelectField } from "@/app/_components/select-field";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceStatus } from "@/db/schema";
import { StaffActionForm } from "../../_components/staff-action-form";

export function ReleaseActions({ instance }: { instance: { id: string; subdomain: string | null; status: InstanceStatus } }) {
  const trpc = useTRPC();
  const catalogue = useQuery(trpc.staff.releases.queryOptions());
  const options = useQuery(trpc.instances.releaseOptions.queryOptions({ id: instance.id }));
  const upgrade = useMutation(trpc.staff.upgrade.mutationOptions());
  const rollback = useMutation(trpc.staff.rollback.mutationOptions());
  const [releaseId, setReleaseId] = useState("");
  if (instance.status !== "running" || !catalogue.data || !options.data) return null;
  const others = catalogue.data.filter((release) => release.id !== options.data.current?.id);
  const chosen = releaseId || others[0]?.id || "";
  const offer = options.data.rollback;
  return (
    <section className="card stack" aria-labelledby="release-actions-heading">
      <h2 id="release-actions-heading" className="mt-0">
        Release
      </h2>
      <p>Runs {options.data.current?.label ?? "no recorded release"}.</p>
      {others.length > 0 ? (
        <>
          <SelectField
            label="Release to upgrade to"
            name="releaseId"
            id="staff-upgrade-release"
            value={chosen}
            onChange={(event) => setReleaseId(event.target.value)}
            options={others.map((release) => [release.id, `${release.name} (Tutor ${release.tutorVersion}, ${release.status.replace("_", " ")})`] as const)}
          />
          <StaffActionForm
            title="Upgrade the instance"
            description="A pre-upgrade backup, then a new deployment on the release beside the serving one, its migrations, a health gate and the switch. Unknown, end-of-life and older releases are refused. The owner is told."
            submitLabel="Upgrade"
            perform={({ reason }) => upgrade.mutateAsync({ instanceId: instance.id, releaseId: chosen, reason })}
          />
        </>
      ) : null}
      {offer.isAvailable ? (
        <StaffActionForm
          title="Roll back the last upgrade"
          description={
            offer.restoresBackup && offer.dataSince
              ? `Back to ${offer.fromRelease}: the pre-upgrade backup is restored first, so everything written since ${offer.dataSince.toISOString()} is lost. The owner is told.`
              : `Back to ${offer.fromRelease} by switching traffic; the upgrade changed no data. The owner is told.`
          }
          submitLabel="Roll back"
          confirmText={offer.restoresBackup ? (instance.subdomain ?? undefined) : undefined}
          perform={({ reason, confirm }) => rollback.mutateAsync({ instanceId: instance.id, confirm, reason })}
        />
      ) : null}
    </section>
  );
}
