import { describe, expect, it } from "vitest";
import { BYTES_PER_GB, storagePercent, storageVerdict } from "./storage-quota";

describe("the storage quota's thresholds", () => {
  it("measures against the plan's GB", () => {
    expect(storagePercent(16 * BYTES_PER_GB, 20)).toBe(80);
  });

  it("warns once at 80 %, once at 100 %, and not again while usage stays above", () => {
    expect(storageVerdict(79.9, 0)).toEqual({ warnedPercent: 0, warnNow: null, uploadsBlocked: false });
    expect(storageVerdict(80, 0)).toEqual({ warnedPercent: 80, warnNow: 80, uploadsBlocked: false });
    expect(storageVerdict(95, 80)).toEqual({ warnedPercent: 80, warnNow: null, uploadsBlocked: false });
    expect(storageVerdict(100, 80)).toEqual({ warnedPercent: 100, warnNow: 100, uploadsBlocked: false });
    expect(storageVerdict(105, 100)).toEqual({ warnedPercent: 100, warnNow: null, uploadsBlocked: false });
  });

  it("sends only the highest warning when usage jumps past both thresholds", () => {
    expect(storageVerdict(104, 0).warnNow).toBe(100);
  });

  it("blocks uploads past 110 % only", () => {
    expect(storageVerdict(110, 100).uploadsBlocked).toBe(false);
    expect(storageVerdict(110.1, 100).uploadsBlocked).toBe(true);
  });

  it("warns again after usage fell below a threshold and climbed back", () => {
    const fell = storageVerdict(50, 100);
    expect(fell).toEqual({ warnedPercent: 0, warnNow: null, uploadsBlocked: false });
    expect(storageVerdict(85, fell.warnedPercent).warnNow).toBe(80);
  });
});
