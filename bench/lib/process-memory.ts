// Resident memory of a process and all its descendants (next start may run the server in a child).
import { readdirSync, readFileSync } from "node:fs";

function childrenOf(pid: number): number[] {
  const result: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) result.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return result;
}

export function rssBytes(pid: number): number {
  let total = 0;
  const queue = [pid];
  while (queue.length) {
    const current = queue.pop()!;
    try {
      const status = readFileSync(`/proc/${current}/status`, "utf8");
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      if (match) total += Number(match[1]) * 1024;
    } catch {
      continue;
    }
    queue.push(...childrenOf(current));
  }
  return total;
}

export const mb = (bytes: number) => bytes / (1024 * 1024);
