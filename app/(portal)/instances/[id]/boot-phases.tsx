"use client";
// The boot of the deployment being brought up, as its server reports it: the phases under the boot step, with the
// time each took (or has been running) against the usual time from recent boots, and a failed phase's last output.
import { useEffect, useMemo, useState } from "react";
import type { InstanceEvent } from "@/db/schema";
import { deriveBootPhases, formatDuration, type BootPhaseView } from "@/server/deployments/boot-phase-view";

const ICONS = { pending: "○", running: "◔", done: "✓", failed: "✗" } as const;

export function BootPhases({ events }: { events: InstanceEvent[] }) {
  const boot = useMemo(() => deriveBootPhases(events), [events]);
  const isRunning = boot?.phases.some((phase) => phase.state === "running") ?? false;
  const now = useNow(isRunning);
  if (!boot) return null;
  return (
    <ol className="steps boot-phases" aria-label={`Boot of deployment ${boot.deploymentId.slice(0, 8)}`} data-testid="boot-phases">
      {boot.phases.map((phase) => (
        <li key={phase.phase} data-phase={phase.phase} data-state={phase.state}>
          <span className="step-icon" aria-hidden>
            {ICONS[phase.state]}
          </span>
          <span className={phase.state === "failed" ? "level-error" : undefined}>
            {phase.title}
            <span className="sr-only"> ({phase.state})</span> <PhaseTiming phase={phase} now={now} />
            {phase.state === "failed" && phase.outputTail ? (
              <pre className="step-error" aria-label={`Last output of ${phase.phase}`}>
                {lastLines(phase.outputTail, 20)}
              </pre>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  );
}

function PhaseTiming({ phase, now }: { phase: BootPhaseView; now: number | null }) {
  const usually = phase.estimateMs !== null ? `usually ${formatDuration(phase.estimateMs)}` : null;
  if (phase.state === "running" && phase.reportedStartAt && now !== null) {
    const elapsed = formatDuration(Math.max(0, now - Date.parse(phase.reportedStartAt)));
    return <span className="text-xs text-slate-500" data-testid="boot-phase-time">{usually ? `${elapsed}, ${usually}` : elapsed}</span>;
  }
  if ((phase.state === "done" || phase.state === "failed") && phase.durationMs !== null) {
    return <span className="text-xs text-slate-500" data-testid="boot-phase-time">{formatDuration(phase.durationMs)}</span>;
  }
  return phase.state === "pending" && usually ? <span className="text-xs text-slate-500">{usually}</span> : null;
}

/** The current time, ticking every second while `isTicking` (null before the first tick: the server renders no clock). */
function useNow(isTicking: boolean): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!isTicking) return;
    const tick = () => setNow(Date.now());
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [isTicking]);
  return now;
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}
