// The Debian tools some integration tests drive for real. Outside CI a missing one skips its suite with a line
// naming the package; under CI (which installs all of them) nothing skips, so a missing install fails loudly.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const HAPROXY_BIN = "/usr/sbin/haproxy";

function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const TOOLS = {
  haproxy: { present: () => existsSync(HAPROXY_BIN), debianPackage: "haproxy" },
  "cloud-init": { present: () => runs("cloud-init", ["--version"]), debianPackage: "cloud-init" },
  python3: { present: () => runs("python3", ["--version"]), debianPackage: "python3" },
} as const;

/** True when a suite needing `tool` must be skipped: the tool is missing and this is not CI. */
export function skipWithout(tool: keyof typeof TOOLS): boolean {
  const { present, debianPackage } = TOOLS[tool];
  if (present()) return false;
  if (process.env.CI) return false;
  console.info(`skipping the tests that need ${tool}: it is not installed (apt-get install ${debianPackage}, or bash .ci/services.sh)`);
  return true;
}
