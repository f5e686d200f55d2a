// The upgrade's health gate: before a deployment on a new release takes traffic, its /heartbeat answers 200 and its
// LMS and Studio each answer their own hostname's home page (not a 5xx; a redirect to the login page is an answer).
import http from "node:http";
import type { Deployment } from "@/db/schema";

type Probe = { name: string; path: string; host: string | null; isHealthy: (status: number) => boolean };

function get(address: string, path: string, host: string | null, signal: AbortSignal): Promise<number> {
  const [hostname, port] = address.split(":");
  return new Promise((resolve, reject) => {
    // node:http, not fetch: fetch will not send another Host than the address's, and the server routes LMS and
    // Studio by Host (Caddy on a VM).
    const request = http.get({ hostname, port: Number(port ?? 80), path, headers: host ? { host } : {}, signal, timeout: 10_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 10 s")));
    request.on("error", reject);
  });
}

/** Throws, naming every probe that failed, unless all pass. */
export async function smokeCheckDeployment(deployment: Pick<Deployment, "id" | "address" | "config">, signal: AbortSignal): Promise<string> {
  if (!deployment.address) throw new Error(`deployment ${deployment.id.slice(0, 8)} has no address`);
  const hostnames = deployment.config?.hostnames;
  const probes: Probe[] = [
    { name: "heartbeat", path: "/heartbeat", host: null, isHealthy: (status) => status === 200 },
    { name: "LMS", path: "/", host: hostnames?.lms ?? null, isHealthy: (status) => status >= 200 && status < 400 },
    { name: "Studio", path: "/", host: hostnames?.studio ?? null, isHealthy: (status) => status >= 200 && status < 400 },
  ];
  const answers: string[] = [];
  const failures: string[] = [];
  for (const probe of probes) {
    try {
      const status = await get(deployment.address, probe.path, probe.host, signal);
      (probe.isHealthy(status) ? answers : failures).push(`${probe.name} ${status}`);
    } catch (error) {
      signal.throwIfAborted();
      failures.push(`${probe.name}: ${(error as Error).message}`);
    }
  }
  if (failures.length) throw new Error(`the health gate failed on deployment ${deployment.id.slice(0, 8)} (${failures.join(", ")})`);
  return answers.join(", ");
}
