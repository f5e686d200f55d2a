// What the instance page shows of a deployment's boot, derived from its boot_phase events alone (no database, no
// driver: the live page imports it). server/deployments/boot-phases.ts writes those events.
import { z } from "zod";
import type { BootPhase, BootPhaseStatus, InstanceEvent } from "@/db/schema";

/** What each phase covers, in the order a server goes through them. */
export const BOOT_PHASE_TITLES: Record<BootPhase, string> = {
  "cloud-init": "Start the server and install its packages",
  docker: "Start Docker and install Tutor",
  images: "Pull the Open edX images",
  launch: "Start the Open edX containers",
  migrations: "Run the database migrations",
  health: "Answer the platform's health check",
};

const PHASES = Object.keys(BOOT_PHASE_TITLES) as [BootPhase, ...BootPhase[]];
const STATUSES = ["started", "succeeded", "failed"] as const satisfies readonly BootPhaseStatus[];

/** The pipeline step the phases are sub-steps of (jobs/steps/deployment.ts): booting the application server. */
export const BOOT_STEP = "boot_server";

/** What a boot_phase event carries in its data. */
export const bootPhaseEventDataSchema = z.object({
  deploymentId: z.string(),
  phase: z.enum(PHASES),
  status: z.enum(STATUSES),
  /** The server's clock, which measured the phase. */
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** A failed phase's last output lines, capped and scrubbed. */
  outputTail: z.string().nullable(),
  /** The median duration of this phase in recent successful boots on the same compute driver; null before any. */
  estimateMs: z.number().nullable(),
});

export type BootPhaseEventData = z.infer<typeof bootPhaseEventDataSchema>;

export type BootPhaseView = {
  phase: BootPhase;
  title: string;
  state: "pending" | "running" | "done" | "failed";
  /** How long it took, for a finished phase (the server's own measure). */
  durationMs: number | null;
  /** When the portal heard it start: a running phase's elapsed time is counted from here, on the portal's clock. */
  reportedStartAt: string | null;
  estimateMs: number | null;
  outputTail: string | null;
};

/**
 * The phases of the latest deployment that reported any during the latest operation, or null when none has: the
 * boot a redeploy is waiting for, not the one before it.
 */
export function deriveBootPhases(events: Pick<InstanceEvent, "kind" | "operationId" | "data" | "createdAt">[]): { deploymentId: string; phases: BootPhaseView[] } | null {
  const operationId = events.findLast((event) => event.kind === "operation_started")?.operationId;
  const reports = events.flatMap((event) => {
    if (event.kind !== "boot_phase" || (operationId !== undefined && event.operationId !== operationId)) return [];
    const data = bootPhaseEventDataSchema.safeParse(event.data);
    return data.success ? [{ ...data.data, reportedAt: new Date(event.createdAt).toISOString() }] : [];
  });
  const latest = reports.at(-1);
  if (!latest) return null;
  const phases = new Map<BootPhase, BootPhaseView>(
    PHASES.map((phase) => [phase, { phase, title: BOOT_PHASE_TITLES[phase], state: "pending", durationMs: null, reportedStartAt: null, estimateMs: null, outputTail: null }]),
  );
  for (const report of reports) {
    if (report.deploymentId !== latest.deploymentId) continue;
    const view = phases.get(report.phase)!;
    if (report.status === "started") {
      Object.assign(view, { state: "running", reportedStartAt: report.reportedAt, estimateMs: report.estimateMs, durationMs: null, outputTail: null });
    } else {
      const durationMs = report.finishedAt ? Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)) : null;
      Object.assign(view, { state: report.status === "succeeded" ? "done" : "failed", durationMs, outputTail: report.outputTail });
    }
  }
  return { deploymentId: latest.deploymentId, phases: [...phases.values()] };
}

/** "45 s", "3 min 20 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
