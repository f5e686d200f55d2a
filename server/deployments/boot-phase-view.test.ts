import { describe, expect, it } from "vitest";
import type { InstanceEvent } from "@/db/schema";
import { deriveBootPhases, formatDuration } from "./boot-phase-view";
import { median } from "./boot-phases";

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
function report(deploymentId: string, phase: string, status: string, startedSecond: number, finishedSecond: number | null, extra: Record<string, unknown> = {}) {
  return {
    kind: "boot_phase",
    operationId: `operation-of-${deploymentId}`,
    createdAt: at(finishedSecond ?? startedSecond),
    data: { deploymentId, phase, status, startedAt: at(startedSecond).toISOString(), finishedAt: finishedSecond === null ? null : at(finishedSecond).toISOString(), outputTail: null, estimateMs: null, ...extra },
  } as Pick<InstanceEvent, "kind" | "operationId" | "data" | "createdAt">;
}
const operationStarted = (operationId: string) => ({ kind: "operation_started", operationId, data: null, createdAt: at(0) }) as Pick<InstanceEvent, "kind" | "operationId" | "data" | "createdAt">;

describe("the boot phases the instance page shows", () => {
  it("are none before any server has reported", () => {
    expect(deriveBootPhases([{ kind: "log", operationId: null, data: null, createdAt: at(0) }])).toBeNull();
  });

  it("follow the latest deployment's reports: done with their duration, running with its estimate, the rest pending", () => {
    const boot = deriveBootPhases([
      report("old", "cloud-init", "failed", 0, 5),
      report("new", "cloud-init", "started", 10, null),
      report("new", "cloud-init", "succeeded", 10, 70),
      report("new", "docker", "started", 70, null, { estimateMs: 120_000 }),
    ])!;
    expect(boot.deploymentId).toBe("new");
    expect(boot.phases.map((phase) => [phase.phase, phase.state])).toEqual([
      ["cloud-init", "done"],
      ["docker", "running"],
      ["images", "pending"],
      ["launch", "pending"],
      ["migrations", "pending"],
      ["health", "pending"],
    ]);
    expect(boot.phases[0]!.durationMs).toBe(60_000);
    expect(boot.phases[1]).toMatchObject({ estimateMs: 120_000, reportedStartAt: at(70).toISOString() });
  });

  it("belong to the latest operation: a redeploy shows nothing of the boot before it until its own server reports", () => {
    const earlier = [operationStarted("operation-of-old"), report("old", "cloud-init", "started", 0, null), report("old", "cloud-init", "succeeded", 0, 9)];
    expect(deriveBootPhases([...earlier, operationStarted("operation-of-new")])).toBeNull();
    expect(deriveBootPhases([...earlier, operationStarted("operation-of-new"), report("new", "cloud-init", "started", 20, null)])!.deploymentId).toBe("new");
  });

  it("show a failed phase with its output", () => {
    const boot = deriveBootPhases([report("d", "images", "started", 0, null), report("d", "images", "failed", 0, 30, { outputTail: "pull access denied\n" })])!;
    expect(boot.phases[2]).toMatchObject({ state: "failed", durationMs: 30_000, outputTail: "pull access denied\n" });
  });
});

describe("durations", () => {
  it("read as seconds, minutes or hours", () => {
    expect([formatDuration(4_400), formatDuration(200_000), formatDuration(180_000), formatDuration(3_720_000)]).toEqual(["4 s", "3 min 20 s", "3 min", "1 h 2 min"]);
  });

  it("are estimated by the median of past boots", () => {
    expect([median([]), median([5]), median([9, 1, 5]), median([1, 2, 3, 10])]).toEqual([null, 5, 5, 3]);
  });
});
