// The local compute driver made to behave like OVH's towards running servers: their configuration is read at boot
// only (an OVH VM reads its user-data once), so a plan change or a settings change is a redeploy, as in production.
import { infra, setInfrastructure } from "@/server/infra";
import { ServerCannotBeReconfiguredError } from "@/server/infra/compute/driver";

/** Swaps the boot-only driver into the infrastructure (pass it as runWorkerForThisFile's `beforeStart`). */
export function makeComputeBootOnly() {
  const real = infra();
  const bootOnly = Object.assign(Object.create(real.compute) as typeof real.compute, {
    canReconfigureInPlace: false,
    reconfigureServer: async (serverId: string) => {
      throw new ServerCannotBeReconfiguredError(real.compute.name, serverId);
    },
  });
  setInfrastructure({ ...real, compute: bootOnly });
}
