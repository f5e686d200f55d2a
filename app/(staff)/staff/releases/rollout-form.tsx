"use client";
// Starting a fleet rollout: the release to move to, which instances (by release and plan), how many per wave, the
// failure rate at which it stops, and now or in each instance's window; with the reason for the audit log. The server
// checks it with the rollout's zod schema (server/upgrades/rollouts.ts) and says what is wrong.
import { TRPCClientError } from "@trpc/client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { SelectField } from "@/app/_components/select-field";
import { useTRPC } from "@/app/_trpc/client";
import type { PlanId } from "@/server/billing/plans";

type Option = readonly [value: string, label: string];

export function RolloutForm({ releases, plans }: { releases: Option[]; plans: (readonly [PlanId, string])[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const [toReleaseId, setToReleaseId] = useState(releases.at(-1)?.[0] ?? "");
  const [fromReleaseIds, setFromReleaseIds] = useState<string[]>([]);
  const [chosenPlans, setChosenPlans] = useState<PlanId[]>([]);
  const [wavePercent, setWavePercent] = useState("10");
  const [failureThresholdPercent, setFailureThresholdPercent] = useState("20");
  const [timing, setTiming] = useState<"now" | "in_window">("in_window");
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<{ isDone: boolean; message: string } | null>(null);
  const start = useMutation(trpc.staff.startRollout.mutationOptions());

  const toggle = <T extends string>(list: T[], value: T) => (list.includes(value) ? list.filter((item) => item !== value) : [...list, value]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    try {
      const done = await start.mutateAsync({
        rollout: {
          toReleaseId,
          fromReleaseIds,
          plans: chosenPlans,
          wavePercent: Number(wavePercent),
          failureThresholdPercent: Number(failureThresholdPercent),
          timing,
        },
        reason,
      });
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
    <form onSubmit={submit} aria-label="Upgrade the fleet in waves" className="stack">
      <SelectField label="Upgrade to" name="toReleaseId" id={`${id}-to`} value={toReleaseId} onChange={(event) => setToReleaseId(event.target.value)} options={releases} />
      <fieldset className="field">
        <legend>Only instances on (none ticked: every older release)</legend>
        {releases.map(([value, label]) => (
          <label key={value} className="block">
            <input type="checkbox" checked={fromReleaseIds.includes(value)} onChange={() => setFromReleaseIds(toggle(fromReleaseIds, value))} /> {label}
          </label>
        ))}
      </fieldset>
      <fieldset className="field">
        <legend>Only instances on the plans (none ticked: every plan)</legend>
        {plans.map(([value, label]) => (
          <label key={value} className="block">
            <input type="checkbox" checked={chosenPlans.includes(value)} onChange={() => setChosenPlans(toggle(chosenPlans, value))} /> {label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-wave`}>Each wave, % of the matching instances</label>
        <input id={`${id}-wave`} type="number" min={1} max={100} required value={wavePercent} onChange={(event) => setWavePercent(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-threshold`}>Stop when more than this % of a wave fails</label>
        <input id={`${id}-threshold`} type="number" min={0} max={100} required value={failureThresholdPercent} onChange={(event) => setFailureThresholdPercent(event.target.value)} />
      </div>
      <SelectField
        label="When"
        name="timing"
        id={`${id}-timing`}
        value={timing}
        onChange={(event) => setTiming(event.target.value as "now" | "in_window")}
        options={[
          ["in_window", "in each instance's upgrade window"],
          ["now", "now"],
        ]}
      />
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <textarea id={`${id}-reason`} rows={2} required value={reason} onChange={(event) => setReason(event.target.value)} />
        <p className="hint">Recorded in the audit log with your name.</p>
      </div>
      <div>
        <button type="submit" className="button" disabled={start.isPending}>
          {start.isPending ? "Working…" : "Start the rollout"}
        </button>
      </div>
      {result ? (
        <p role={result.isDone ? "status" : "alert"} className={result.isDone ? "level-success" : "error"}>
          {result.isDone ? "Started" : "Refused"}: {result.message}
        </p>
      ) : null}
    </form>
  );
}
