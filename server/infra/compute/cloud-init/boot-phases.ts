// The part of the user-data that reports the boot to the portal: a small script that runs each boot command
// under a phase (server/deployments/boot-phases.ts), posts "started" before the phase's first command, and
// "succeeded" after its last or "failed" with the end of the failing command's output, with curl and the
// deployment's own token. A failed phase stops the rest of the boot (runcmd itself would carry on).
import type { BootPhase } from "@/db/schema";
import type { DeployedConfig } from "./deployed-config";

const ROOT = "/opt/lyceum";
const BOOT_PHASE_SCRIPT = `${ROOT}/boot-phase`;
const URL_FILE = `${ROOT}/boot-report.url`;
/** curl reads the Authorization header from here (-H @file), so the token is never on a command line. */
const HEADER_FILE = `${ROOT}/boot-report.header`;
/** What the portal keeps of a failing command's output (MAX_OUTPUT_TAIL_BYTES); sending more is pointless. */
const TAIL_BYTES = 4096;

const SCRIPT = `#!/bin/sh
# boot-phase PHASE [--since-boot] [--last] -- COMMAND...: runs COMMAND as part of PHASE and reports the phase.
set -u
phase=$1; shift
since_boot=0; last=0
while [ "$1" != "--" ]; do
  case $1 in --since-boot) since_boot=1 ;; --last) last=1 ;; esac
  shift
done
shift
state=/var/lib/lyceum/boot
log=/var/log/lyceum-boot-$phase.log
mkdir -p "$state"
if ls "$state"/*.failed >/dev/null 2>&1; then
  echo "boot-phase: an earlier phase failed, so $phase does not run" >&2
  exit 1
fi
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
report() {
  [ -r ${URL_FILE} ] || return 0
  python3 - "$phase" "$@" <<'PY' | curl -sS --max-time 10 --retry 3 --retry-all-errors -o /dev/null -H @${HEADER_FILE} -H 'content-type: application/json' --data-binary @- "$(cat ${URL_FILE})" || true
import json, sys
phase, status, started = sys.argv[1:4]
report = {"phase": phase, "status": status, "startedAt": started}
if len(sys.argv) > 4:
    report["finishedAt"] = sys.argv[4]
if len(sys.argv) > 5:
    with open(sys.argv[5], "rb") as log:
        log.seek(0, 2)
        log.seek(max(0, log.tell() - ${TAIL_BYTES}))
        report["outputTail"] = log.read().decode("utf-8", "replace")
print(json.dumps(report))
PY
}
if [ -s "$state/$phase.started" ]; then
  started=$(cat "$state/$phase.started")
else
  if [ "$since_boot" = 1 ]; then
    started=$(date -u -d "@$(( $(date +%s) - $(cut -d. -f1 /proc/uptime) ))" +%Y-%m-%dT%H:%M:%SZ)
  else
    started=$(now)
  fi
  echo "$started" > "$state/$phase.started"
  report started "$started"
fi
"$@" >>"$log" 2>&1
code=$?
if [ "$code" -ne 0 ]; then
  touch "$state/$phase.failed"
  report failed "$started" "$(now)" "$log"
  exit "$code"
fi
if [ "$last" = 1 ]; then report succeeded "$started" "$(now)"; fi
exit 0
`;

/** The reporter script, and where to report with which token when the deployment has them. */
export function bootReporterFiles(config: Pick<DeployedConfig, "bootReport">): Record<string, unknown>[] {
  const files: Record<string, unknown>[] = [{ path: BOOT_PHASE_SCRIPT, owner: "root:root", permissions: "0755", content: SCRIPT }];
  if (config.bootReport) {
    files.push(
      { path: URL_FILE, owner: "root:root", permissions: "0644", content: `${config.bootReport.url}\n` },
      { path: HEADER_FILE, owner: "root:root", permissions: "0600", content: `Authorization: Bearer ${config.bootReport.token}\n` },
    );
  }
  return files;
}

/** `commands` (runcmd entries) run under `phase`: the first reports it started, the last that it succeeded. */
export function inBootPhase(phase: BootPhase, commands: string[][], options: { isSinceBoot?: boolean } = {}): string[][] {
  return commands.map((command, index) => [
    BOOT_PHASE_SCRIPT,
    phase,
    ...(index === 0 && options.isSinceBoot ? ["--since-boot"] : []),
    ...(index === commands.length - 1 ? ["--last"] : []),
    "--",
    ...command,
  ]);
}
