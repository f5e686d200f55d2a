import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { computeDriver } from "@/server/infra";
import { MINIMAL_ENV as base } from "@/tests/helpers/configuration";


describe("choosing the compute driver", () => {
  it("runs local processes by default, which can be reconfigured in place", () => {
    const compute = computeDriver(parseEnv(base));
    expect(compute).toMatchObject({ name: "local", canReconfigureInPlace: true });
  });

  it("boots OVH VMs with COMPUTE_DRIVER=ovh, which must be redeployed to change", () => {
    const compute = computeDriver(
      parseEnv({
        ...base,
        COMPUTE_DRIVER: "ovh",
        OVH_ENDPOINT: "ovh-eu",
        OVH_APPLICATION_KEY: "ak",
        OVH_APPLICATION_SECRET: "as",
        OVH_CONSUMER_KEY: "ck",
        OVH_PROJECT_ID: "project",
        OVH_REGION: "GRA11",
        OVH_FLAVOR_ID: "flavor",
        OVH_IMAGE_ID: "image",
        OVH_SSH_KEY_ID: "key",
      }),
    );
    expect(compute).toMatchObject({ name: "ovh", canReconfigureInPlace: false });
  });
});
