// The daily measurement of what each instance uses against its plan (jobs/tasks/measure_usage.ts): the size of its
// bucket, and its learners and courses counted in its own LMS database. Uploads are blocked (or allowed again) on
// the provider first; the new state, its events and its emails are then committed together, so a crash between
// the two re-asserts the same block the next day and announces it then.
import { eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, instanceUsage, type Instance, type InstanceUsage } from "@/db/schema";
import type { Infrastructure } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { ledgerFor } from "@/server/instances/ledger";
import { planById } from "@/server/billing/plans";
import { emailUsageNotice, type UsageNotice } from "@/server/notifications/usage-emails";
import { formatGb, storagePercent, storageVerdict, UPLOADS_BLOCKED_ABOVE_PERCENT } from "./storage-quota";

type UsageDrivers = Pick<Infrastructure, "objectStorage" | "mysql">;

/** The instances whose buckets and databases are theirs to use: measured daily. */
const MEASURED_STATUSES = ["running", "suspended"] as const;

type Measurement = { storageBytes: number | null; learners: number | null; courses: number | null };

async function measure(q: Queryable, instance: Instance, drivers: UsageDrivers, signal?: AbortSignal) {
  const ledger = ledgerFor(q, instance.id);
  const bucket = (await ledger.list("s3.bucket"))[0]?.externalId ?? null;
  const principal = (await ledger.list("s3.access_key"))[0]?.details.principal ?? null;
  const lmsDatabase = (await ledger.list("mysql.database")).find((entry) => entry.details.suffix === "edxapp")?.externalId ?? null;
  const storageBytes = bucket ? await drivers.objectStorage.bucketUsageBytes(bucket, signal) : null;
  const counted = lmsDatabase ? await drivers.mysql.countOpenedxUsage(lmsDatabase, { signal }) : null;
  return { bucket, principal, measured: { storageBytes, learners: counted?.learners ?? null, courses: counted?.courses ?? null } satisfies Measurement };
}

type PlanLimits = { learners: number; courses: number; storageGb: number };

/**
 * Measures one instance, enforces its storage quota and announces what changed. Safe to run twice. `limits` are the
 * plan's unless given (a test's plan of a few megabytes).
 */
export async function measureInstanceUsage(
  q: Queryable,
  instance: Instance,
  drivers: UsageDrivers,
  options: { now: Date; signal?: AbortSignal; limits?: PlanLimits },
) {
  const { now, signal } = options;
  const limits = options.limits ?? planById(instance.plan).limits;
  const { bucket, principal, measured } = await measure(q, instance, drivers, signal);
  const [previous] = await q.select().from(instanceUsage).where(eq(instanceUsage.instanceId, instance.id)).limit(1);

  const percent = measured.storageBytes === null ? null : storagePercent(measured.storageBytes, limits.storageGb);
  const verdict = percent === null ? null : storageVerdict(percent, previous?.storageWarnedPercent ?? 0);
  const uploadsBlocked = verdict?.uploadsBlocked ?? previous?.uploadsBlocked ?? false;
  // Asserted every day, not only on a change: a key made since (a redeploy) gets the same block.
  if (bucket && principal && verdict) await drivers.objectStorage.keys.setUploadsBlocked(principal, bucket, uploadsBlocked);

  const next: InstanceUsage = {
    instanceId: instance.id,
    measuredAt: now,
    ...measured,
    storageWarnedPercent: verdict?.warnedPercent ?? previous?.storageWarnedPercent ?? 0,
    uploadsBlocked,
    learnersOverLimit: measured.learners === null ? (previous?.learnersOverLimit ?? false) : measured.learners > limits.learners,
    coursesOverLimit: measured.courses === null ? (previous?.coursesOverLimit ?? false) : measured.courses > limits.courses,
  };

  const storageText = measured.storageBytes === null ? null : `${formatGb(measured.storageBytes)} of ${limits.storageGb} GB (${Math.round(percent!)} %)`;
  const notices: (UsageNotice & { level: "warn" | "info" })[] = [];
  if (verdict?.warnNow) {
    notices.push({
      level: "warn",
      purpose: `storage-warning-${verdict.warnNow}`,
      subject: `storage at ${verdict.warnNow} % of the plan`,
      lines: [
        `The instance's files (course assets, uploads, exports, tracking logs) take ${storageText} of its plan's storage.`,
        `Past ${UPLOADS_BLOCKED_ABOVE_PERCENT} % new uploads are refused until files are deleted or the plan is changed.`,
      ],
    });
  }
  if (next.uploadsBlocked !== (previous?.uploadsBlocked ?? false)) {
    notices.push(
      next.uploadsBlocked
        ? {
            level: "warn",
            purpose: "storage-uploads-blocked",
            subject: "uploads blocked: storage over the plan",
            lines: [
              `The instance's files take ${storageText}, past ${UPLOADS_BLOCKED_ABOVE_PERCENT} % of its plan's storage: new uploads are refused.`,
              "Reading and deleting files still work; uploads are allowed again once usage is back under the limit or the plan is changed.",
            ],
          }
        : {
            level: "info",
            purpose: "storage-uploads-allowed",
            subject: "uploads allowed again",
            lines: [`The instance's files take ${storageText}: uploads are allowed again.`],
          },
    );
  }
  for (const [what, count, limit, isOver, wasOver] of [
    ["learners", measured.learners, limits.learners, next.learnersOverLimit, previous?.learnersOverLimit ?? false],
    ["courses", measured.courses, limits.courses, next.coursesOverLimit, previous?.coursesOverLimit ?? false],
  ] as const) {
    if (isOver && !wasOver) {
      notices.push({
        level: "warn",
        purpose: `${what}-over-limit`,
        subject: `${what} over the plan`,
        lines: [`The instance has ${count} ${what}; its plan (${instance.plan}) includes ${limit}.`, "Please move to a larger plan, or we will be in touch about one."],
      });
    }
  }

  const summary = [
    storageText ? `storage ${storageText}` : "no bucket",
    measured.learners === null ? "learners not counted yet (no LMS tables)" : `${measured.learners} of ${limits.learners} learners`,
    measured.courses === null ? null : `${measured.courses} of ${limits.courses} courses`,
  ].filter(Boolean);

  await q.transaction(async (tx) => {
    await tx.insert(instanceUsage).values(next).onConflictDoUpdate({ target: instanceUsage.instanceId, set: next });
    await appendInstanceEvent(tx, { instanceId: instance.id, kind: "log", step: "usage", message: `Usage measured: ${summary.join(", ")}.`, data: { ...measured, percent } });
    for (const notice of notices) {
      await appendInstanceEvent(tx, { instanceId: instance.id, kind: "log", step: "usage", level: notice.level, message: `${notice.subject[0]!.toUpperCase()}${notice.subject.slice(1)}: ${notice.lines[0]}` });
      await emailUsageNotice(tx, instance, notice);
    }
  });
  return { ...next, notices: notices.map((notice) => notice.purpose) };
}

/** Every running or suspended instance, one after the other; one that fails is reported and the rest still run. */
export async function measureAllInstances(q: Queryable, drivers: UsageDrivers, now: Date, signal?: AbortSignal) {
  const due = await q.select().from(instances).where(inArray(instances.status, [...MEASURED_STATUSES]));
  const failed: { instanceId: string; error: Error }[] = [];
  for (const instance of due) {
    signal?.throwIfAborted();
    try {
      await measureInstanceUsage(q, instance, drivers, { now, signal });
    } catch (error) {
      failed.push({ instanceId: instance.id, error: error as Error });
    }
  }
  return { measured: due.length - failed.length, failed };
}

/** What the instance page shows: the last measurement against the plan's limits (null before the first). */
export async function usageOf(q: Queryable, instance: Pick<Instance, "id" | "plan">) {
  const [row] = await q.select().from(instanceUsage).where(eq(instanceUsage.instanceId, instance.id));
  return { limits: planById(instance.plan).limits, usage: row ?? null };
}
