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
  run(ctx: BenchContext): Promise<Figure[]>;
};
