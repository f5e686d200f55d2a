"use client";
// Adding a release, or changing one: its name, Tutor version, each plugin pinned (`package==version`, a line each),
// its status, its migrations (JSON, what the local site stand-in runs) and notes, with the reason for the audit log.
// The server checks everything with the catalogue's zod schema (server/releases/catalogue.ts) and says what is wrong.
import { TRPCClientError } from "@trpc/client";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { SelectField } from "@/app/_components/select-field";
import { useTRPC } from "@/app/_trpc/client";
import { useMutation } from "@tanstack/react-query";

const STATUSES = [
  ["preview", "preview (staff only)"],
  ["default", "default (new instances)"],
  ["supported", "supported (owners may upgrade to it)"],
  ["end_of_life", "end of life"],
] as const;

type Status = (typeof STATUSES)[number][0];

type ReleaseFields = {
  name: string;
  tutorVersion: string;
  pluginVersions: Record<string, string>;
  status: Status;
  migrations: { id: string; databaseSuffix: string; sql: string }[];
  notes: string;
};

function pluginLines(plugins: Record<string, string>) {
  return Object.entries(plugins)
    .map(([name, version]) => `${name}==${version}`)
    .join("\n");
}

function parsePluginLines(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [name, version] = line.split("==");
        return [name?.trim() ?? "", version?.trim() ?? ""];
      }),
  );
}

export function ReleaseForm({ releaseId, initial, title }: { releaseId?: string; initial?: ReleaseFields; title: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const [name, setName] = useState(initial?.name ?? "");
  const [tutorVersion, setTutorVersion] = useState(initial?.tutorVersion ?? "");
  const [plugins, setPlugins] = useState(pluginLines(initial?.pluginVersions ?? {}));
  const [status, setStatus] = useState<Status>(initial?.status ?? "preview");
  const [migrations, setMigrations] = useState(JSON.stringify(initial?.migrations ?? [], null, 2));
  const [notes, setNotes] = useState(initial?.notes ?? "");
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<{ isDone: boolean; message: string } | null>(null);
  const add = useMutation(trpc.staff.addRelease.mutationOptions());
  const change = useMutation(trpc.staff.changeRelease.mutationOptions());
  const isPending = add.isPending || change.isPending;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    let parsedMigrations: ReleaseFields["migrations"];
    try {
      parsedMigrations = JSON.parse(migrations || "[]") as ReleaseFields["migrations"];
    } catch {
      setResult({ isDone: false, message: "Migrations must be JSON: a list of { id, databaseSuffix, sql }." });
      return;
    }
    const release = { name, tutorVersion, pluginVersions: parsePluginLines(plugins), status, migrations: parsedMigrations, notes };
    try {
      const done = releaseId ? await change.mutateAsync({ releaseId, release, reason }) : await add.mutateAsync({ release, reason });
      setResult({ isDone: true, message: done.summary });
      setReason("");
      router.refresh();
    } catch (error) {
      const fieldErrors = error instanceof TRPCClientError ? (error.data?.fieldErrors as Record<string, string[]> | null) : null;
      const first = fieldErrors ? Object.entries(fieldErrors).map(([field, messages]) => `${field}: ${messages[0]}`)[0] : null;
      setResult({ isDone: false, message: first ?? (error instanceof Error ? error.message : String(error)) });
    }
  }

  return (
    <form onSubmit={submit} aria-label={title} className="stack">
      <h3 className="font-semibold">{title}</h3>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tutor`}>Tutor version (exact)</label>
        <input id={`${id}-tutor`} value={tutorVersion} onChange={(event) => setTutorVersion(event.target.value)} required placeholder="18.2.2" autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-plugins`}>Plugins, one package==version a line</label>
        <textarea id={`${id}-plugins`} rows={3} value={plugins} onChange={(event) => setPlugins(event.target.value)} required />
      </div>
      <SelectField label="Status" name="status" id={`${id}-status`} value={status} onChange={(event) => setStatus(event.target.value as Status)} options={STATUSES} />
      <div className="field">
        <label htmlFor={`${id}-migrations`}>Migrations (JSON)</label>
        <textarea id={`${id}-migrations`} rows={3} value={migrations} onChange={(event) => setMigrations(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-notes`}>Notes</label>
        <textarea id={`${id}-notes`} rows={2} value={notes} onChange={(event) => setNotes(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <textarea id={`${id}-reason`} rows={2} required value={reason} onChange={(event) => setReason(event.target.value)} />
        <p className="hint">Recorded in the audit log with your name.</p>
      </div>
      <div>
        <button type="submit" className="button" disabled={isPending}>
          {isPending ? "Working…" : releaseId ? "Save the release" : "Add the release"}
        </button>
      </div>
      {result ? (
        <p role={result.isDone ? "status" : "alert"} className={result.isDone ? "level-success" : "error"}>
          {result.isDone ? "Done" : "Refused"}: {result.message}
        </p>
      ) : null}
    </form>
  );
}
