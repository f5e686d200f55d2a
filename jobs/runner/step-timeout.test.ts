// A step's time limit is read from the configuration when the step runs: steps are module-level objects, so a
// limit fixed at import would ignore HEARTBEAT_TIMEOUT_SECONDS and the compute driver's default.
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { MINIMAL_ENV as base, OVH_SETTINGS as ovh } from "@/tests/helpers/configuration";
import { bootServer, waitForHeartbeat, waitForNewDeploymentHeartbeat } from "../steps/deployment";
import { stepTimeoutMs } from "./timeout";

describe("step time limits", () => {
  it("gives a local deployment 300 s to answer /heartbeat, and a fresh OVH VM 1800 s", () => {
    for (const step of [waitForHeartbeat, waitForNewDeploymentHeartbeat]) {
      expect(stepTimeoutMs(step, parseEnv(base))).toBe(300_000);
      expect(stepTimeoutMs(step, parseEnv({ ...base, ...ovh }))).toBe(1_800_000);
    }
  });

  it("takes HEARTBEAT_TIMEOUT_SECONDS over either default, and refuses a limit shorter than the step's own margin", () => {
    expect(stepTimeoutMs(waitForHeartbeat, parseEnv({ ...base, HEARTBEAT_TIMEOUT_SECONDS: "900" }))).toBe(900_000);
    expect(stepTimeoutMs(waitForHeartbeat, parseEnv({ ...base, ...ovh, HEARTBEAT_TIMEOUT_SECONDS: "2400" }))).toBe(2_400_000);
    expect(parseEnv({ ...base, HEARTBEAT_TIMEOUT_SECONDS: "" }).heartbeatTimeoutSeconds).toBe(300);
    expect(() => parseEnv({ ...base, HEARTBEAT_TIMEOUT_SECONDS: "5" })).toThrow(/HEARTBEAT_TIMEOUT_SECONDS: must be at least 30/);
  });

  it("keeps a step's fixed limit, and falls back to STEP_TIMEOUT_SECONDS for a step without one", () => {
    const config = parseEnv({ ...base, STEP_TIMEOUT_SECONDS: "42", HEARTBEAT_TIMEOUT_SECONDS: "900" });
    expect(stepTimeoutMs(bootServer, config)).toBe(120_000);
    expect(stepTimeoutMs({}, config)).toBe(42_000);
  });
});
