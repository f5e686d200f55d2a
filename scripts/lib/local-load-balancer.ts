// `npm run dev`'s HAProxy: started in front of the instances when it is installed, on files and a master
// socket under the state dir (where the worker's sync steps find them), and stopped with the stack.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "@/db/schema";
import { parseEnv } from "@/server/env";
import { createLoadBalancer } from "@/server/infra/load-balancer";
import { haproxyDirIn, HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { routedHostnames } from "@/server/instances/hostnames";
import { isPortFree, freePort } from "@/server/net/free-port";

export type LocalLoadBalancer = {
  child: ChildProcess;
  httpUrlPattern: string;
  httpsUrlPattern: string | null;
  stop(): Promise<void>;
};

const HAPROXY_HINT = "HAProxy is not installed, so each instance's own server answers at its own port. To serve instances through a load balancer as in production: apt-get install haproxy";

/**
 * Decides whether the stack runs HAProxy and sets the environment the web process and the worker share
 * (LOAD_BALANCER_DRIVER, ports). Returns the hint line to print when HAProxy is missing, else null.
 */
export async function chooseLocalLoadBalancer(stackEnv: NodeJS.ProcessEnv): Promise<{ isWanted: boolean; hint: string | null }> {
  const requested = stackEnv.LOAD_BALANCER_DRIVER;
  if (requested && requested !== "haproxy") return { isWanted: false, hint: null };
  const bin = stackEnv.HAPROXY_BIN || "/usr/sbin/haproxy";
  if (!existsSync(bin)) {
    if (requested === "haproxy") throw new Error(`LOAD_BALANCER_DRIVER=haproxy but ${bin} does not exist: apt-get install haproxy, or set HAPROXY_BIN`);
    return { isWanted: false, hint: HAPROXY_HINT };
  }
  stackEnv.LOAD_BALANCER_DRIVER = "haproxy";
  // The usual ports when they are free (so URLs handed out keep working), else any.
  stackEnv.HAPROXY_HTTP_PORT ||= String((await isPortFree(8080)) ? 8080 : await freePort());
  stackEnv.HAPROXY_HTTPS_PORT ||= String((await isPortFree(8443)) ? 8443 : await freePort());
  return { isWanted: true, hint: null };
}

/** Starts HAProxy on the configuration rendered from the database as it is now. */
export async function startLocalLoadBalancer(stackEnv: NodeJS.ProcessEnv, output: (line: string) => void): Promise<LocalLoadBalancer> {
  const config = parseEnv(stackEnv);
  const loadBalancer = createLoadBalancer(config, { siteHostnames: routedHostnames })!;
  const sql = postgres(config.DATABASE_URL, { max: 1, onnotice: () => {} });
  let state;
  try {
    state = await loadBalancer.stateFrom(drizzle(sql, { schema }));
  } finally {
    await sql.end();
  }
  const haproxy = new HaproxyLoadBalancer(haproxyDirIn(config.LYCEUM_STATE_DIR), config.HAPROXY_BIN);
  const child = await haproxy.start(state, { onOutput: output });
  return {
    child,
    httpUrlPattern: `http://<subdomain>.${config.LYCEUM_BASE_DOMAIN}:${config.HAPROXY_HTTP_PORT}/`,
    httpsUrlPattern: config.HAPROXY_HTTPS_PORT ? `https://<subdomain>.${config.LYCEUM_BASE_DOMAIN}:${config.HAPROXY_HTTPS_PORT}/ (self-signed certificate)` : null,
    stop: () => haproxy.stop(),
  };
}
