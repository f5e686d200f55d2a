// Collects figures and prints them as a Markdown table (and bench/results.json).
import { writeFileSync } from "node:fs";
import os from "node:os";
import { round } from "./stats";

export type Figure = {
  scenario: string;
  figure: string;
  unit: string;
  /** min / median / max over the runs. */
  runs: number[];
  baseline?: { label: string; runs: number[] };
  goal: string;
  /** Whether the median meets the goal; null when the figure is informational. */
  pass: boolean | null;
};

const fmt = (value: number) => (Number.isFinite(value) ? String(round(value, value < 10 ? 2 : 1)) : "n/a");

function span(runs: number[]) {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return sorted.length === 1 ? fmt(mid) : `${fmt(mid)} (${fmt(sorted[0]!)}–${fmt(sorted.at(-1)!)})`;
}

export function medianOf(runs: number[]) {
  const sorted = [...runs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function toMarkdown(figures: Figure[]): string {
  const lines = [
    "| scenario | figure | value: median (min–max) | baseline | ratio | goal | pass |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const f of figures) {
    const ratio = f.baseline ? medianOf(f.runs) / medianOf(f.baseline.runs) : undefined;
    lines.push(
      `| ${f.scenario} | ${f.figure} | ${span(f.runs)} ${f.unit} | ${f.baseline ? `${span(f.baseline.runs)} ${f.unit} (${f.baseline.label})` : "—"} | ${ratio !== undefined ? `${fmt(ratio)}×` : "—"} | ${f.goal} | ${f.pass === null ? "info" : f.pass ? "pass" : "**fail**"} |`,
    );
  }
  return lines.join("\n");
}

export function writeResults(file: string, figures: Figure[], meta: Record<string, unknown>) {
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  writeFileSync(file, JSON.stringify({ ranAt: new Date().toISOString(), machine, ...meta, figures }, null, 2));
  return machine;
}
