// An instance's weekly upgrade window: the hours in which Lyceum may start an upgrade the owner did not ask for (a
// fleet wave "in window", the move off an end-of-life release). Stored in UTC as the hour of the week it opens and
// how long it lasts, so a window that crosses midnight (or Saturday into Sunday) needs no special case.
import { z } from "zod";
import type { Instance } from "@/db/schema";

const HOURS_PER_WEEK = 7 * 24;

export const upgradeWindowSchema = z.object({
  /** 0 Sunday … 6 Saturday. */
  dayOfWeek: z.int("Pick a day.").min(0, "Pick a day.").max(6, "Pick a day."),
  startHour: z.int("Pick an hour.").min(0, "Pick an hour from 0 to 23.").max(23, "Pick an hour from 0 to 23."),
  hours: z.int("Give a length in hours.").min(1, "The window lasts at least 1 hour.").max(24, "The window lasts at most 24 hours."),
});

export type UpgradeWindow = z.infer<typeof upgradeWindowSchema>;

/** An instance without a window of its own: Sunday 02:00–06:00 UTC, the quietest hours for most of our clients. */
export const DEFAULT_UPGRADE_WINDOW: UpgradeWindow = { dayOfWeek: 0, startHour: 2, hours: 4 };

type WindowColumns = Pick<Instance, "upgradeWindowDay" | "upgradeWindowStartHour" | "upgradeWindowHours">;

/** The window the owner chose, or null. */
export function chosenUpgradeWindow(instance: WindowColumns): UpgradeWindow | null {
  if (instance.upgradeWindowDay === null || instance.upgradeWindowStartHour === null || instance.upgradeWindowHours === null) return null;
  return { dayOfWeek: instance.upgradeWindowDay, startHour: instance.upgradeWindowStartHour, hours: instance.upgradeWindowHours };
}

export function upgradeWindowOf(instance: WindowColumns): UpgradeWindow {
  return chosenUpgradeWindow(instance) ?? DEFAULT_UPGRADE_WINDOW;
}

export function windowColumns(window: UpgradeWindow | null): WindowColumns {
  return {
    upgradeWindowDay: window?.dayOfWeek ?? null,
    upgradeWindowStartHour: window?.startHour ?? null,
    upgradeWindowHours: window?.hours ?? null,
  };
}

const mod = (value: number, by: number) => ((value % by) + by) % by;

export function isInUpgradeWindow(window: UpgradeWindow, now: Date): boolean {
  const hourOfWeek = now.getUTCDay() * 24 + now.getUTCHours();
  return mod(hourOfWeek - (window.dayOfWeek * 24 + window.startHour), HOURS_PER_WEEK) < window.hours;
}

/**
 * The same window seen from a zone `offsetMinutes` ahead of UTC (from UTC to the owner's clock), or back with a
 * negative offset. Whole hours only: a zone half an hour off UTC sees its window start on the hour nearest to it.
 */
export function shiftUpgradeWindow(window: UpgradeWindow, offsetMinutes: number): UpgradeWindow {
  const start = mod(window.dayOfWeek * 24 + window.startHour + Math.round(offsetMinutes / 60), HOURS_PER_WEEK);
  return { dayOfWeek: Math.floor(start / 24), startHour: start % 24, hours: window.hours };
}

export const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

const clock = (hour: number) => `${String(hour % 24).padStart(2, "0")}:00`;

/** "Sundays 02:00–06:00" (in whatever zone the window is expressed). */
export function describeUpgradeWindow(window: UpgradeWindow): string {
  const end = window.startHour + window.hours;
  const nextDay = end > 24 ? ` (${DAY_NAMES[(window.dayOfWeek + 1) % 7]})` : "";
  return `${DAY_NAMES[window.dayOfWeek]}s ${clock(window.startHour)}–${clock(end)}${nextDay}`;
}
