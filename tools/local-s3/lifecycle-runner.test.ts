import { describe, expect, it } from "vitest";
import { expiresAt } from "./lifecycle-runner";

describe("lifecycle expiry time", () => {
  it.each([
    ["2026-03-01T10:30:00.000Z", 1, "2026-03-03T00:00:00.000Z"],
    ["2026-03-01T00:00:00.000Z", 1, "2026-03-02T00:00:00.000Z"],
    ["2026-03-01T23:59:59.999Z", 30, "2026-04-01T00:00:00.000Z"],
  ])("an object made at %s with a %i-day rule expires at %s (rounded up to midnight UTC, like S3)", (created, days, expected) => {
    expect(expiresAt(created, days).toISOString()).toBe(expected);
  });
});
