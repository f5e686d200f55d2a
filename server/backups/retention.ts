// Which backups of an instance its plan keeps, as a pure function of the backups and the time (no clock read here,
// so a test can walk a hundred days in a loop).
//
// Grandfather-father-son, counted the way borg's `prune` counts: the newest verified backup of each of the last
// `daily` UTC days that have one; then, among older periods, the newest of each of `weekly` ISO weeks and of
// `monthly` calendar months whose newest backup is not already kept. A backup kept by one rule does not count for
// the next, so 7 daily, 4 weekly and 3 monthly are 14 distinct backups once there is enough history, never fewer
// because the periods overlap.
import type { Backup } from "@/db/schema";
import type { Plan } from "@/server/billing/plans";

export type RetainedBackup = Pick<Backup, "id" | "kind" | "status" | "createdAt">;
type BackupRetention = Plan["backupRetention"];

/** Why a backup is kept: the rule that chose it, or what makes it untouchable. */
type KeptBecause = "daily" | "weekly" | "monthly" | "final" | "running" | "recent_failure";

/** A failed backup is kept this long so that people can read why it failed; its artifacts are only a part anyway. */
const FAILED_BACKUP_KEPT_DAYS = 2;

const DAY_MS = 86_400_000;

function dayOf(at: Date) {
  return at.toISOString().slice(0, 10);
}

/** ISO 8601 week ("2026-W49"): weeks start on Monday, and week 1 holds the year's first Thursday. */
function isoWeekOf(at: Date) {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function monthOf(at: Date) {
  return at.toISOString().slice(0, 7);
}

const PERIODS = { daily: dayOf, weekly: isoWeekOf, monthly: monthOf } as const;

/**
 * The backups to keep and why; every other one may be deleted. `isInstanceDeleted` with `finalBackupAt` (the
 * instance's final backup's time): once `finalBackupDays` have passed since it, nothing is kept.
 */
export function backupsToKeep(
  backups: RetainedBackup[],
  retention: BackupRetention,
  now: Date,
  deletion?: { finalBackupAt: Date },
): Map<string, KeptBecause> {
  const kept = new Map<string, KeptBecause>();
  const isPastFinalRetention = deletion ? now.getTime() - deletion.finalBackupAt.getTime() > retention.finalBackupDays * DAY_MS : false;
  for (const backup of backups) {
    // Still being written (or verified): never removed under a running operation.
    if (backup.status === "running") kept.set(backup.id, "running");
    else if (backup.status === "failed" && now.getTime() - backup.createdAt.getTime() < FAILED_BACKUP_KEPT_DAYS * DAY_MS) kept.set(backup.id, "recent_failure");
  }
  if (isPastFinalRetention) return kept;
  const verified = backups.filter((backup) => backup.status === "verified").sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  for (const backup of verified) if (deletion && backup.kind === "pre_deprovision") kept.set(backup.id, "final");
  for (const rule of ["daily", "weekly", "monthly"] as const) {
    const periodOf = PERIODS[rule];
    let last: string | null = null;
    let count = 0;
    for (const backup of verified) {
      if (count >= retention[rule]) break;
      const period = periodOf(backup.createdAt);
      if (period === last) continue;
      last = period;
      if (kept.has(backup.id)) continue;
      kept.set(backup.id, rule);
      count++;
    }
  }
  return kept;
}
