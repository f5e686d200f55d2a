"use client";
// The instance's Open edX release: the one it runs, an upgrade to a newer supported release, and the rollback of the
// last upgrade while its fallback is kept (asking for the subdomain typed when the rollback restores the pre-upgrade
// backup, and saying what is lost). Progress shows in the event log above; the panel refreshes while one runs.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { SelectField } from "@/app/_components/select-field";
import { useTRPC } from "@/app/_trpc/client";

const utc = (value: Date) => `${value.toISOString().replace("T", " ").slice(0, 16)} UTC`;

export function ReleasePanel({ instanceId, subdomain }: { instanceId: string; subdomain: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [targetId, setTargetId] = useState("");
  const [confirm, setConfirm] = useState("");
  // Refreshed while the instance comes up or an operation runs: the release and the rollback change when it ends.
  const options = useQuery({
    ...trpc.instances.releaseOptions.queryOptions({ id: instanceId }),
    refetchInterval: (query) => (query.state.data?.isRunning && !query.state.data.busyWith ? false : 3000),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.instances.releaseOptions.queryKey({ id: instanceId }) });
  const upgrade = useMutation(
    trpc.instances.upgrade.mutationOptions({
      onSuccess: () => {
        setNotice("Upgrade started: a backup first, then the new release boots beside the current one. Follow it in the log above.");
        void refresh();
      },
    }),
  );
  const rollback = useMutation(
    trpc.instances.rollback.mutationOptions({
      onSuccess: () => {
        setNotice("Rollback started: follow it in the log above.");
        setConfirm("");
        void refresh();
      },
    }),
  );
  const data = options.data;
  if (!data) return null;
  const chosen = targetId || data.targets[0]?.id || "";
  const offer = data.rollback;
  const canAct = data.isRunning && !data.busyWith;
  return (
    <section className="card stack" aria-labelledby="release-heading">
      <h2 id="release-heading" className="mt-0">
        Open edX release
      </h2>
      <p>
        Runs <strong>{data.current?.label ?? "no recorded release yet"}</strong>
        {data.current?.status === "end_of_life" ? " — end of life: please upgrade." : null}
      </p>
      {notice ? <p role="status">{notice}</p> : null}
      {data.busyWith ? <p className="hint">A {data.busyWith} is under way: follow it in the log above.</p> : null}
      {canAct && data.targets.length > 0 ? (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            upgrade.mutate({ id: instanceId, releaseId: chosen });
          }}
        >
          <SelectField
            label="Upgrade to"
            name="releaseId"
            value={chosen}
            onChange={(event) => setTargetId(event.target.value)}
            options={data.targets.map((target) => [target.id, target.label] as const)}
          />
          <p className="hint">
            A backup is taken first; the new release boots beside the current one, which keeps serving until the new one passes its health checks. The
            previous release is kept for a while afterwards, so the upgrade can be rolled back.
          </p>
          <div>
            <button type="submit" className="button" disabled={upgrade.isPending || !chosen}>
              {upgrade.isPending ? "Requesting…" : "Upgrade"}
            </button>
          </div>
          <ErrorMessage>{upgrade.error?.message}</ErrorMessage>
        </form>
      ) : canAct ? (
        <p className="hint">No newer release is available.</p>
      ) : null}
      {canAct && offer.isAvailable ? (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            rollback.mutate({ id: instanceId, confirm });
          }}
        >
          <h3 className="mt-0">Roll back to {offer.fromRelease}</h3>
          {offer.restoresBackup && offer.dataSince ? (
            <>
              <p className="hint">
                The upgrade changed your databases, so the backup taken before it is restored first: everything written since {utc(offer.dataSince)} (new
                learners, enrolments, grades, course edits, uploads) is lost. The current state is backed up before it is replaced.
              </p>
              <div className="field">
                <label htmlFor="rollback-confirm">Type {subdomain} to confirm</label>
                <input id="rollback-confirm" value={confirm} onChange={(event) => setConfirm(event.target.value)} autoComplete="off" />
              </div>
            </>
          ) : (
            <p className="hint">The upgrade changed no data: traffic switches back to the previous release, and your data stays as it is.</p>
          )}
          <p className="hint">Possible until {utc(offer.fallbackUntil)}.</p>
          <div>
            <button
              type="submit"
              className="button button-danger"
              disabled={rollback.isPending || (offer.restoresBackup && confirm.trim() !== subdomain)}
            >
              {rollback.isPending ? "Requesting…" : `Roll back to ${offer.fromRelease}`}
            </button>
          </div>
          <ErrorMessage>{rollback.error?.message}</ErrorMessage>
        </form>
      ) : null}
    </section>
  );
}
