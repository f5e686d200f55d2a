// Exact versions (a release pins them) and their order (an upgrade only goes forward).
import { z } from "zod";

/** `17.0.6`: what pip installs with `==`. A range or a tag (`>=17,<18`, `latest`) is not a version. */
export const exactVersionSchema = z.string().trim().regex(/^\d+\.\d+\.\d+$/, "Give an exact version such as 17.0.6 (no ranges: nothing deployed may float).");

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const partsOf = (version: string) => version.split(".").map(Number);
  const [left, right] = [partsOf(a), partsOf(b)];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
