"use client";
// The owner's weekly upgrade window, picked and shown in the browser's time zone and stored in UTC
// (server/upgrades/window.ts). Upgrades the owner starts run whenever they ask; the window is for those Lyceum starts:
// fleet upgrades and the move off an end-of-life release.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, useSyncExternalStore, type FormEvent } from "react";
import { SelectField } from "@/app/_components/select-field";
import { useTRPC } from "@/app/_trpc/client";
import { DAY_NAMES, describeUpgradeWindow, shiftUpgradeWindow, type UpgradeWindow } from "@/server/upgrades/window";

const DAYS = DAY_NAMES.map((name, day) => [String(day), name] as const);
const HOURS = Array.from({ length: 24 }, (_, hour) => [String(hour), `${String(hour).padStart(2, "0")}:00`] as const);

/** The browser's zone, known only after hydration (the server renders UTC, the zone the window is stored in). */
const neverChanges = () => () => {};

function useBrowserZone() {
  const name = useSyncExternalStore(neverChanges, () => Intl.DateTimeFormat().resolvedOptions().timeZone, () => "UTC");
  const offsetMinutes = useSyncExternalStore(neverChanges, () => -new Date().getTimezoneOffset(), () => 0);
  return { name, offsetMinutes };
}

export function UpgradeWindowForm({ instanceId, chosen, fallback }: { instanceId: string; chosen: UpgradeWindow | null; fallback: UpgradeWindow }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const zone = useBrowserZone();
  const shown = shiftUpgradeWindow(chosen ?? fallback, zone.offsetMinutes);
  const [draft, setDraft] = useState<UpgradeWindow | null>(null);
  const fields = draft ?? shown;
  const [result, setResult] = useState<{ isDone: boolean; message: string } | null>(null);
  const save = useMutation(trpc.settings.setUpgradeWindow.mutationOptions());

  async function store(window: UpgradeWindow | null) {
    setResult(null);
    try {
      await save.mutateAsync({ id: instanceId, window: window ? shiftUpgradeWindow(window, -zone.offsetMinutes) : null });
      setDraft(null);
      setResult({ isDone: true, message: window ? `Saved: ${describeUpgradeWindow(window)} (${zone.name}).` : "Back to the default window." });
      router.refresh();
    } catch (error) {
      setResult({ isDone: false, message: error instanceof Error ? error.message : String(error) });
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void store(fields);
  }

  return (
    <section className="card stack" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="mt-0">
        Upgrade window
      </h2>
      <p>
        {chosen ? "Your window" : "The default window"}: <strong>{describeUpgradeWindow(shown)}</strong> ({zone.name}
        {zone.name === "UTC" ? "" : `; ${describeUpgradeWindow(chosen ?? fallback)} UTC`}).
      </p>
      <p className="hint">
        Upgrades Lyceum starts (a fleet upgrade, or moving off a release that reached end of life) start only in this window. Upgrades you start
        yourself run at once.
      </p>
      <form onSubmit={submit} aria-label="Upgrade window" className="stack">
        <SelectField label={`Day (${zone.name})`} name="dayOfWeek" id={`${id}-day`} value={String(fields.dayOfWeek)} options={DAYS} onChange={(event) => setDraft({ ...fields, dayOfWeek: Number(event.target.value) })} />
        <SelectField label={`From (${zone.name})`} name="startHour" id={`${id}-start`} value={String(fields.startHour)} options={HOURS} onChange={(event) => setDraft({ ...fields, startHour: Number(event.target.value) })} />
        <div className="field">
          <label htmlFor={`${id}-hours`}>For how many hours</label>
          <input id={`${id}-hours`} type="number" min={1} max={24} required value={fields.hours} onChange={(event) => setDraft({ ...fields, hours: Number(event.target.value) })} />
        </div>
        <div className="flex gap-2">
          <button type="submit" className="button" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save the window"}
          </button>
          {chosen ? (
            <button type="button" className="button button-secondary" disabled={save.isPending} onClick={() => void store(null)}>
              Use the default
            </button>
          ) : null}
        </div>
        {result ? (
          <p role={result.isDone ? "status" : "alert"} className={result.isDone ? "level-success" : "error"}>
            {result.message}
          </p>
        ) : null}
      </form>
    </section>
  );
}
