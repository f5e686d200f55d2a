import { describe, expect, it } from "vitest";
import { describeUpgradeWindow, isInUpgradeWindow, shiftUpgradeWindow, upgradeWindowSchema } from "./window";

describe("an upgrade window", () => {
  it("is open from its start for its length, across midnight and the end of the week", () => {
    const saturdayNight = { dayOfWeek: 6, startHour: 22, hours: 4 };
    expect(isInUpgradeWindow(saturdayNight, new Date("2026-12-05T21:59:00Z"))).toBe(false); // a Saturday
    expect(isInUpgradeWindow(saturdayNight, new Date("2026-12-05T22:00:00Z"))).toBe(true);
    expect(isInUpgradeWindow(saturdayNight, new Date("2026-12-06T01:59:00Z"))).toBe(true); // Sunday
    expect(isInUpgradeWindow(saturdayNight, new Date("2026-12-06T02:00:00Z"))).toBe(false);
  });

  it("is shown in the owner's zone and stored back in UTC", () => {
    const utc = { dayOfWeek: 1, startHour: 1, hours: 3 };
    // New York in winter is 5 hours behind: Monday 01:00 UTC is Sunday 20:00 there.
    const newYork = shiftUpgradeWindow(utc, -300);
    expect(newYork).toEqual({ dayOfWeek: 0, startHour: 20, hours: 3 });
    expect(shiftUpgradeWindow(newYork, 300)).toEqual(utc);
    expect(describeUpgradeWindow(newYork)).toBe("Sundays 20:00–23:00");
    expect(describeUpgradeWindow({ dayOfWeek: 6, startHour: 22, hours: 4 })).toBe("Saturdays 22:00–02:00 (Sunday)");
  });

  it("refuses hours and days that do not exist", () => {
    expect(upgradeWindowSchema.safeParse({ dayOfWeek: 7, startHour: 1, hours: 2 }).success).toBe(false);
    expect(upgradeWindowSchema.safeParse({ dayOfWeek: 1, startHour: 24, hours: 2 }).success).toBe(false);
    expect(upgradeWindowSchema.safeParse({ dayOfWeek: 1, startHour: 1, hours: 0 }).success).toBe(false);
  });
});
