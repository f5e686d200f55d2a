// Pebble (a real ACME CA on loopback, pebble-challtestsrv as its DNS) with the portal's edge drivers pointed at it,
// for tests that issue certificates: DNS-01 through challtestsrv, HTTP-01 answered by the portal's own
// acme-challenge route on the port Pebble validates, exactly as behind the load balancer. Call it before the
// modules that read the environment load; `stop()` undoes it.
import http from "node:http";
import { startPebble } from "./pebble";

const PEBBLE_BASE_DOMAIN = "lyceum.test";

export async function startPebbleEdge() {
  const pebble = await startPebble();
  Object.assign(process.env, {
    LYCEUM_BASE_DOMAIN: PEBBLE_BASE_DOMAIN,
    DNS_DRIVER: "challtestsrv",
    CHALLTESTSRV_URL: pebble.challtestsrvUrl,
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    ACME_CA_CERTS: pebble.caFile,
    ACME_EMAIL: `certificates@${PEBBLE_BASE_DOMAIN}`,
  });
  const { env } = await import("@/server/env");
  const { edgeDrivers, setInfrastructure } = await import("@/server/infra");
  const { GET: acmeChallengeRoute } = await import("@/app/api/acme-challenge/[token]/route");

  // acme-client polls every 5-30 s by default; Pebble without sleep answers at once.
  const drivers = edgeDrivers(env(), { min: 50, max: 500 });
  setInfrastructure(drivers as never);

  // challtestsrv resolves every name to 127.0.0.1, so Pebble's HTTP-01 validation connects here.
  const validationServer = http.createServer((req, res) => {
    const match = /^\/\.well-known\/acme-challenge\/([^/?]+)$/.exec(req.url ?? "");
    if (!match) return void res.writeHead(404).end();
    void acmeChallengeRoute(new Request(`http://${req.headers.host}${req.url}`), { params: Promise.resolve({ token: match[1]! }) }).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
    });
  });
  await new Promise<void>((resolve) => validationServer.listen(pebble.httpPort, "127.0.0.1", resolve));

  return {
    pebble,
    drivers,
    async stop() {
      setInfrastructure(undefined);
      await new Promise((resolve) => validationServer.close(resolve));
      await pebble.stop();
    },
  };
}

/** A registered instance made running under `subdomain`, with a verified custom domain when one is given. */
export async function runningInstanceRow(subdomain: string, customDomain?: string) {
  const { eq } = await import("drizzle-orm");
  const { db } = await import("@/db");
  const { instances } = await import("@/db/schema");
  const { registeredInstance } = await import("./instances");
  const { owner, instance } = await registeredInstance(undefined, `School ${subdomain}`);
  const [row] = await db
    .update(instances)
    .set({ subdomain, status: "running", ...(customDomain ? { customDomain, customDomainStatus: "verified" as const } : {}) })
    .where(eq(instances.id, instance.id))
    .returning();
  return { owner, instance: row! };
}
