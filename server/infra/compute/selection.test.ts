import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { computeDriver } from "@/server/infra";
import { MINIMAL_ENV as base, OVH_SETTINGS as ovh } from "@/tests/helpers/configuration";

describe("choosing the compute driver", () => {
  it("runs local processes by default, which can be reconfigured in place", () => {
    const compute = computeDriver(parseEnv(base));
    expect(compute).toMatchObject({ name: "local", canReconfigureInPlace: true });
  });

  it("boots OVH VMs with COMPUTE_DRIVER=ovh, which must be redeployed to change", () => {
    const compute = computeDriver(parseEnv({ ...base, ...ovh }));
    expect(compute).toMatchObject({ name: "ovh", canReconfigureInPlace: false });
  });
});
