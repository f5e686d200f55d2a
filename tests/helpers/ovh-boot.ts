// The loopback OVH API set up for a test that boots VMs through Lyceum's own OVH driver (the `ovh` package): the
// API started with one region and flavor, trusted by Node's global HTTPS agent (which the `ovh` package calls
// through), and named in the environment. Call it before the app's modules load; `stop()` undoes all of it.
import https from "node:https";
import { OVH_DRIVER_SETTINGS } from "./configuration";
import { startFakeOvh } from "./fake-ovh";

export const OVH_REGION = OVH_DRIVER_SETTINGS.OVH_REGION;

export async function startOvhForBoots(options: { buildMs?: number } = {}) {
  const fake = await startFakeOvh({
    credentials: {
      applicationKey: OVH_DRIVER_SETTINGS.OVH_APPLICATION_KEY,
      applicationSecret: OVH_DRIVER_SETTINGS.OVH_APPLICATION_SECRET,
      consumerKey: OVH_DRIVER_SETTINGS.OVH_CONSUMER_KEY,
    },
    projectId: OVH_DRIVER_SETTINGS.OVH_PROJECT_ID,
    regions: [OVH_REGION],
    buildMs: options.buildMs,
    flavors: [{ id: "flavor-b3-8", name: "b3-8", region: OVH_REGION }],
  });
  const previousCa = https.globalAgent.options.ca;
  https.globalAgent.options.ca = fake.certificate;
  Object.assign(process.env, fake.environment());
  return Object.assign(fake, {
    async stop() {
      https.globalAgent.options.ca = previousCa;
      await fake.close();
    },
  });
}
