import { describe, expect, it } from "vitest";
import { planById } from "@/server/billing/plans";
import { backupsToKeep, type RetainedBackup } from "./retention";

const starter = planById("starter").backupRetention;
// A Tuesday: its ISO week began on Monday 30 November.
const NOW = new Date("2026-12-01T12:00:00Z");

function dailyBackupAt(day: string, overrides: Partial<RetainedBackup> = {}): RetainedBackup {
  return { id: day, kind: "scheduled", status: "verified", createdAt: new Date(`${day}T03:00:00Z`), ...overrides };
}

/** One scheduled backup a day at 03:00 UTC for `days` days up to `until`, newest last. */
function dailies(until: Date, days: number) {
  return Array.from({ length: days }, (_, index) => dailyBackupAt(new Date(until.getTime() - (days - 1 - index) * 86_400_000).toISOString().slice(0, 10)));
}

function keptDays(kept: Map<string, string>) {
  return Object.fromEntries([...kept].sort(([a], [b]) => b.localeCompare(a)));
}

// The Starter plan promises 7 daily, 4 weekly and 3 monthly backups: these are the fourteen it keeps on 1 December.
const PROMISED_ON_1_DECEMBER = {
  "2026-12-01": "daily",
  "2026-11-30": "daily",
  "2026-11-29": "daily",
  "2026-11-28": "daily",
  "2026-11-27": "daily",
  "2026-11-26": "daily",
  "2026-11-25": "daily",
  // The newest of each ISO week before: week 48 (23–29 November) already has its Sunday among the dailies.
  "2026-11-22": "weekly",
  "2026-11-15": "weekly",
  "2026-11-08": "weekly",
  "2026-11-01": "weekly",
  // The last of each month before: November's 30th is a daily already.
  "2026-10-31": "monthly",
  "2026-09-30": "monthly",
  "2026-08-31": "monthly",
};

describe("backup retention", () => {
  it("keeps exactly 7 daily, 4 weekly and 3 monthly backups of a hundred days of dailies", () => {
    const kept = backupsToKeep(dailies(NOW, 100), starter, NOW);
    expect(keptDays(kept)).toEqual(PROMISED_ON_1_DECEMBER);
  });

  it("pruning every day for a hundred days ends with the same fourteen: nothing it needed later was deleted earlier", () => {
    let stored: RetainedBackup[] = [];
    for (let day = 99; day >= 0; day--) {
      const now = new Date(NOW.getTime() - day * 86_400_000);
      stored.push(dailyBackupAt(now.toISOString().slice(0, 10)));
      const kept = backupsToKeep(stored, starter, now);
      stored = stored.filter((backup) => kept.has(backup.id));
      expect(stored.length).toBeLessThanOrEqual(14);
    }
    expect(keptDays(backupsToKeep(stored, starter, NOW))).toEqual(PROMISED_ON_1_DECEMBER);
  });

  it("counts every verified backup, a manual one too, as its day's newest; a failed one neither counts nor stays past two days", () => {
    const backups = [
      ...dailies(NOW, 10),
      dailyBackupAt("2026-11-30", { id: "manual-30", kind: "manual", createdAt: new Date("2026-11-30T18:00:00Z") }),
      dailyBackupAt("2026-12-01", { id: "failed-today", status: "failed", createdAt: new Date("2026-12-01T04:00:00Z") }),
      dailyBackupAt("2026-11-20", { id: "failed-old", status: "failed" }),
      dailyBackupAt("2026-11-19", { id: "running", status: "running" }),
    ];
    const kept = backupsToKeep(backups, starter, NOW);
    expect(kept.get("manual-30")).toBe("daily");
    expect(kept.has("2026-11-30")).toBe(false);
    expect(kept.get("failed-today")).toBe("recent_failure");
    expect(kept.has("failed-old")).toBe(false);
    expect(kept.get("running")).toBe("running");
  });

  it("keeps a deleted instance's final backup for the plan's days after it, then nothing", () => {
    const final = dailyBackupAt("2026-11-01", { id: "final", kind: "pre_deprovision", createdAt: new Date("2026-11-01T10:00:00Z") });
    const backups = [...dailies(new Date("2026-11-01T00:00:00Z"), 40), final];
    const deletion = { finalBackupAt: final.createdAt };
    const withinRetention = backupsToKeep(backups, starter, new Date("2026-11-30T12:00:00Z"), deletion);
    expect(withinRetention.get("final")).toBe("final");
    expect(backupsToKeep(backups, starter, new Date("2026-12-01T11:00:00Z"), deletion).size).toBe(0);
  });
});
