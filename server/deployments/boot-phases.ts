// The phases a deployment's server goes through while it boots, as it reports them to the portal: the fixed list,
// the report's shape, recording one (a row per phase and an event the instance page streams), and the estimate of
// how long each phase takes, from the boots that went well before.
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db";
import { bootPhase, bootPhaseStatus, deploymentBootPhases, deployments, type BootPhase, type Deployment } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { scrubSecrets } from "@/server/observability/redact";
import { BOOT_PHASE_TITLES, BOOT_STEP, type BootPhaseEventData } from "./boot-phase-view";

const BOOT_PHASES = bootPhase.enumValues;

/** The most of a failing command's output that is kept: its last lines are where the cause is. */
export const MAX_OUTPUT_TAIL_BYTES = 4 * 1024;
/** A report is a few hundred bytes plus the tail; the JSON escaping of a tail may double it. */
export const MAX_BOOT_REPORT_BODY_BYTES = 16 * 1024;
/** How many of the latest successful boots an estimate is the median of. */
const ESTIMATE_SAMPLE_SIZE = 10;

export const bootPhaseReportSchema = z
  .object({
    phase: z.enum(BOOT_PHASES),
    status: z.enum(bootPhaseStatus.enumValues),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }).optional(),
    // Servers send more than is kept (the tail of a log): it is cut here, not refused.
    outputTail: z.string().max(MAX_BOOT_REPORT_BODY_BYTES).optional(),
  })
  .strict()
  .refine((report) => report.status === "started" || report.finishedAt, { message: "a finished phase needs finishedAt", path: ["finishedAt"] });

export type BootPhaseReport = z.infer<typeof bootPhaseReportSchema>;

/**
 * The last MAX_OUTPUT_TAIL_BYTES of `output`, scrubbed like any error text an owner reads: the platform's secrets,
 * this instance's (a migration's error may quote a database password), and credential-looking pairs.
 */
function outputTailOf(output: string, instanceId: string): string {
  const scrubbed = scrubSecrets(output, [instanceId]);
  const bytes = Buffer.from(scrubbed, "utf8");
  if (bytes.length <= MAX_OUTPUT_TAIL_BYTES) return scrubbed;
  let start = bytes.length - MAX_OUTPUT_TAIL_BYTES;
  // Forward to the start of a character: continuation bytes are 10xxxxxx.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("utf8");
}

/**
 * Records a report: the phase's row (a repeated report overwrites it: a retried phase is the same phase) and an
 * event of the deployment's operation under its boot step, which the live instance page shows as a sub-step.
 */
export async function recordBootPhase(q: Queryable, deployment: Deployment, report: BootPhaseReport): Promise<void> {
  const outputTail = report.status === "failed" && report.outputTail ? outputTailOf(report.outputTail, deployment.instanceId) : null;
  const row = {
    deploymentId: deployment.id,
    phase: report.phase,
    status: report.status,
    startedAt: new Date(report.startedAt),
    finishedAt: report.finishedAt ? new Date(report.finishedAt) : null,
    outputTail,
    reportedAt: new Date(),
  };
  const estimateMs = report.status === "started" ? await bootPhaseEstimateMs(q, deployment.computeDriver, report.phase) : null;
  const data: BootPhaseEventData = {
    deploymentId: deployment.id,
    phase: report.phase,
    status: report.status,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    outputTail,
    estimateMs,
  };
  await q.transaction(async (tx) => {
    await tx
      .insert(deploymentBootPhases)
      .values(row)
      .onConflictDoUpdate({ target: [deploymentBootPhases.deploymentId, deploymentBootPhases.phase], set: row });
    await appendInstanceEvent(tx, {
      instanceId: deployment.instanceId,
      operationId: deployment.operationId,
      kind: "boot_phase",
      step: BOOT_STEP,
      level: report.status === "failed" ? "error" : report.status === "succeeded" ? "info" : "debug",
      message: bootPhaseMessage(deployment, report, outputTail),
      data,
    });
  });
}

function bootPhaseMessage(deployment: Deployment, report: BootPhaseReport, outputTail: string | null): string {
  const label = `Deployment ${deployment.id.slice(0, 8)}: ${BOOT_PHASE_TITLES[report.phase].toLowerCase()} (${report.phase})`;
  if (report.status === "started") return `${label} started.`;
  const seconds = Math.max(0, Math.round((Date.parse(report.finishedAt!) - Date.parse(report.startedAt)) / 1000));
  if (report.status === "succeeded") return `${label} took ${seconds} s.`;
  const lastLine = outputTail?.trimEnd().split("\n").at(-1);
  return `${label} failed after ${seconds} s${lastLine ? `: ${lastLine}` : "."}`;
}

/** The median duration of `phase` over the latest ESTIMATE_SAMPLE_SIZE successful runs on `computeDriver`, or null. */
async function bootPhaseEstimateMs(q: Queryable, computeDriver: string, phase: BootPhase): Promise<number | null> {
  const rows = await q
    .select({ durationMs: sql<number>`extract(epoch from ${deploymentBootPhases.finishedAt} - ${deploymentBootPhases.startedAt}) * 1000` })
    .from(deploymentBootPhases)
    .innerJoin(deployments, eq(deployments.id, deploymentBootPhases.deploymentId))
    .where(
      and(
        eq(deploymentBootPhases.phase, phase),
        eq(deploymentBootPhases.status, "succeeded"),
        isNotNull(deploymentBootPhases.finishedAt),
        eq(deployments.computeDriver, computeDriver),
      ),
    )
    .orderBy(desc(deploymentBootPhases.finishedAt))
    .limit(ESTIMATE_SAMPLE_SIZE);
  return median(rows.map((row) => Math.max(0, Number(row.durationMs))));
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return Math.round(sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2);
}
