import type { Stack } from "../../scripts/lib/stack";
import type { Figure } from "./report";

export type BenchContext = {
  baseUrl: string;
  stack: Stack;
  /** Runs per scenario (3; 1 in smoke mode). */
  runs: number;
  isSmoke: boolean;
  staff: { email: string; password: string };
  log(line: string): void;
};

export type Scenario = {
  name: string;
  /** False: it starts what it measures itself, so `--only` on it alone skips the build and the portal's stack. */
  needsStack?: false;
  run(ctx: BenchContext): Promise<Figure[]>;
};
