import { describe, expect, it } from "vitest";
import { relativeTime, utcTime } from "./local-time";

const now = new Date("2026-12-01T12:00:00Z");
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("relative times", () => {
  it("says how long ago in the largest whole unit", () => {
    expect(relativeTime(before(10), now)).toBe("now");
    expect(relativeTime(before(180), now)).toBe("3 minutes ago");
    expect(relativeTime(before(2 * 3600), now)).toBe("2 hours ago");
    expect(relativeTime(before(86_400), now)).toBe("yesterday");
    expect(relativeTime(new Date(now.getTime() + 3 * 86_400_000), now)).toBe("in 3 days");
  });

  it("writes the exact UTC time the server can render without the viewer's zone", () => {
    expect(utcTime(now)).toBe("2026-12-01 12:00 UTC");
    expect(utcTime(now, "date")).toBe("2026-12-01");
    expect(utcTime(now, "time")).toBe("12:00:00 UTC");
  });
});
