// The storage quota's thresholds, as plain arithmetic: warnings at 80 % and 100 % of the plan's storage, uploads
// blocked past 110 %. A warning is sent once per crossing: the level last warned about follows usage down, so
// only a new climb past a threshold warns again.

/** Plans state storage in GB, as providers bill it (10^9 bytes). */
export const BYTES_PER_GB = 1_000_000_000;
const STORAGE_WARNING_PERCENTS = [80, 100] as const;
export const UPLOADS_BLOCKED_ABOVE_PERCENT = 110;

type StorageWarningPercent = 0 | (typeof STORAGE_WARNING_PERCENTS)[number];

export function storagePercent(bytes: number, quotaGb: number): number {
  return (bytes / (quotaGb * BYTES_PER_GB)) * 100;
}

/** The highest threshold that usage has reached (0 below the first). */
function storageWarningLevel(percent: number): StorageWarningPercent {
  let level: StorageWarningPercent = 0;
  for (const threshold of STORAGE_WARNING_PERCENTS) if (percent >= threshold) level = threshold;
  return level;
}

/**
 * What a measurement means given the level already warned about: the level to remember, the warning to send now
 * (null when none was crossed upwards since the last one), and whether uploads must be blocked.
 */
export function storageVerdict(percent: number, warnedPercent: number) {
  const level = storageWarningLevel(percent);
  return {
    warnedPercent: level,
    warnNow: level > warnedPercent ? level : null,
    uploadsBlocked: percent > UPLOADS_BLOCKED_ABOVE_PERCENT,
  };
}

export function formatGb(bytes: number): string {
  const gb = bytes / BYTES_PER_GB;
  return `${gb < 10 ? gb.toFixed(2) : gb.toFixed(1)} GB`;
}
