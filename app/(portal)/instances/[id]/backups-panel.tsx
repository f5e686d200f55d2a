"use client";
// The instance's backups: when each was taken, its size, why, whether it verified; a download of each (a tar,
// decrypted by the portal), a backup now, and a restore that asks for the subdomain typed. Progress shows in the
// event log above. The status and events come from the page's live stream (inside <InstanceLive>): the actions
// follow the instance as it turns running, and the list refreshes when a step or an operation ends.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";
import type { AppRouter } from "@/server/api/root";
import { useLiveInstance } from "./live-status";

type BackupRow = inferRouterOutputs<AppRouter>["instances"]["backups"][number];

const KIND: Record<BackupRow["kind"], string> = {
  scheduled: "daily",
  manual: "on demand",
  pre_deprovision: "final, before deletion",
  pre_restore: "before a restore",
  pre_redeploy: "before a redeploy",
  pre_plan_change: "before a plan change",
  pre_upgrade: "before an upgrade",
};

function formatBytes(bytes: number) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function RestoreForm({ instanceId, subdomain, backup, onDone }: { instanceId: string; subdomain: string; backup: BackupRow; onDone: () => void }) {
  const trpc = useTRPC();
  const [confirm, setConfirm] = useState("");
  const restore = useMutation(trpc.instances.restore.mutationOptions({ onSuccess: onDone }));
  const fieldId = `restore-confirm-${backup.id}`;
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        restore.mutate({ id: instanceId, backupId: backup.id, confirm });
      }}
    >
      <p className="hint">
        Everything written since {backup.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC is replaced. The current state is backed up first, so this
        restore can itself be undone.
      </p>
      <div className="field">
        <label htmlFor={fieldId}>Type {subdomain} to confirm</label>
        <input id={fieldId} value={confirm} onChange={(event) => setConfirm(event.target.value)} autoComplete="off" />
      </div>
      <div>
        <button type="submit" className="button button-danger" disabled={confirm.trim() !== subdomain || restore.isPending}>
          {restore.isPending ? "Requesting…" : "Restore this backup"}
        </button>
      </div>
      <ErrorMessage>{restore.error?.message}</ErrorMessage>
    </form>
  );
}

// Events after which a backup may have been written, verified or marked failed.
const LIST_EVENTS = new Set(["step_succeeded", "step_failed", "operation_finished"]);

export function BackupsPanel({ instanceId, subdomain }: { instanceId: string; subdomain: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { status, events } = useLiveInstance();
  const listChanged = events.findLast((event) => LIST_EVENTS.has(event.kind))?.seq ?? 0;
  const [loadedAt] = useState(listChanged);
  useEffect(() => {
    if (listChanged > loadedAt) void queryClient.invalidateQueries({ queryKey: trpc.instances.backups.queryKey({ id: instanceId }) });
  }, [listChanged, loadedAt, queryClient, trpc, instanceId]);
  const [restoring, setRestoring] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({
    ...trpc.instances.backups.queryOptions({ id: instanceId }),
    // Refreshed while a backup is being written, and after a request, until it shows.
    refetchInterval: (query) => (query.state.data?.some((backup) => backup.status === "running") ? 3000 : notice ? 10_000 : false),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.instances.backups.queryKey({ id: instanceId }) });
  const backUp = useMutation(
    trpc.instances.backUp.mutationOptions({
      onSuccess: () => {
        setNotice("Backup started: follow it in the log above.");
        void refresh();
      },
    }),
  );
  const canBackUp = status === "running" || status === "suspended";
  const backups = list.data ?? [];
  return (
    <section className="card stack" aria-labelledby="backups-heading">
      <h2 id="backups-heading" className="mt-0">
        Backups
      </h2>
      <p className="hint">
        Taken daily and before every redeploy, plan change and restore; your plan decides how many are kept. A download is a tar of the SQL dumps, the
        message-queue definitions and your files, with a manifest of their checksums.
      </p>
      {canBackUp ? (
        <div className="flex items-center gap-3">
          <button type="button" className="button button-secondary" disabled={backUp.isPending} onClick={() => backUp.mutate({ id: instanceId })}>
            {backUp.isPending ? "Requesting…" : "Back up now"}
          </button>
          {notice ? <span role="status">{notice}</span> : null}
        </div>
      ) : null}
      <ErrorMessage>{backUp.error?.message}</ErrorMessage>
      {backups.length === 0 ? (
        <p>{list.isPending ? "Loading backups…" : "No backups yet."}</p>
      ) : (
        <div className="table-scroll">
        <table className="data" aria-label="Backups">
          <thead>
            <tr>
              <th scope="col">Taken (UTC)</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {backups.map((backup) => {
              const taken = backup.createdAt.toISOString().replace("T", " ").slice(0, 19);
              return (
                <tr key={backup.id}>
                  <td>{taken}</td>
                  <td>{KIND[backup.kind]}</td>
                  <td>{backup.status === "verified" ? formatBytes(backup.storedBytes) : "—"}</td>
                  <td title={backup.error ?? undefined}>{backup.status}</td>
                  <td>
                    {backup.status === "verified" ? (
                      <div className="stack">
                        <div className="flex items-center gap-3">
                          <a href={`/api/instances/${instanceId}/backups/${backup.id}`} download aria-label={`Download the backup of ${taken}`}>
                            Download
                          </a>
                          {status === "running" ? (
                            <button
                              type="button"
                              className="button button-secondary"
                              aria-expanded={restoring === backup.id}
                              aria-label={`Restore the backup of ${taken}`}
                              onClick={() => setRestoring(restoring === backup.id ? null : backup.id)}
                            >
                              Restore…
                            </button>
                          ) : null}
                        </div>
                        {restoring === backup.id ? (
                          <RestoreForm
                            instanceId={instanceId}
                            subdomain={subdomain}
                            backup={backup}
                            onDone={() => {
                              setRestoring(null);
                              setNotice("Restore started: the current state is backed up first. Follow it in the log above.");
                              void refresh();
                            }}
                          />
                        ) : null}
                      </div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
