// The one place where configuration picks each capability's driver.
import { env } from "@/server/env";
import type { ComputeDriver } from "./compute/driver";
import { createLocalComputeDriver } from "./compute/local";
import type { FrontDoorDriver } from "./front-door/driver";
import { createLocalFrontDoor } from "./front-door/local";

export type Infrastructure = { compute: ComputeDriver; frontDoor: FrontDoorDriver };

let cached: Infrastructure | undefined;

export function infra(): Infrastructure {
  if (cached) return cached;
  const config = env();
  cached = {
    compute: createLocalComputeDriver(config.LYCEUM_STATE_DIR),
    frontDoor: createLocalFrontDoor(config.LYCEUM_STATE_DIR),
  };
  return cached;
}

/** Tests swap in drivers of their own (e.g. pointed at a temporary state dir). */
export function setInfrastructure(replacement: Infrastructure | undefined) {
  cached = replacement;
}
