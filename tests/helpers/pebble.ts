// A real ACME CA on loopback: pebble-challtestsrv as its DNS (and the DNS-01 records' server) and pebble itself,
// on free ports, with a listener certificate made by openssl for this run. HTTP-01 validation connects to
// 127.0.0.1:<httpPort> (challtestsrv answers every A query with 127.0.0.1), where the test serves the tokens.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import https from "node:https";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/server/net/free-port";
import { eventually } from "./waiting";

export type Pebble = {
  directoryUrl: string;
  /** PEM of pebble's listener certificate: what the ACME client must trust. */
  caFile: string;
  caPem: string;
  challtestsrvUrl: string;
  /** Where pebble connects for HTTP-01 validation. */
  httpPort: number;
  /** PEM of the root that signs the certificates pebble issues (new at every start). */
  issuingRootPem(): Promise<string>;
  /** How many orders Pebble has taken since it started, as its own log says ("Added order … to the db"). */
  ordersAdded(): number;
  /** What pebble's management interface says of a certificate it issued (by the leaf's serial), or null if it knows none. */
  certificateStatus(chainPem: string): Promise<PebbleCertificateStatus | null>;
  stop(): Promise<void>;
};

/** Pebble's `/cert-status-by-serial/<serial>` answer. `Reason` is the RFC 5280 reason code of a revocation. */
export type PebbleCertificateStatus = { Status: "Valid" | "Revoked"; Serial: string; Reason?: number; RevokedAt?: string; Certificate: string };

function started(child: ChildProcess, name: string, output: string[]) {
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.on("exit", (code) => output.push(`${name} exited with ${code}`));
}

export async function startPebble(): Promise<Pebble> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lyceum-pebble-"));
  const [dnsPort, managementPort, listenPort, pebbleManagementPort, httpPort, tlsPort] = (await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  )) as [number, number, number, number, number, number];
  const caFile = path.join(dir, "listener.pem");
  const keyFile = path.join(dir, "listener-key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", keyFile, "-out", caFile,
  ], { stdio: "ignore" });
  const configFile = path.join(dir, "pebble-config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${listenPort}`,
        managementListenAddress: `127.0.0.1:${pebbleManagementPort}`,
        certificate: caFile,
        privateKey: keyFile,
        httpPort,
        tlsPort,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const output: string[] = [];
  const challtestsrv = spawn(
    "pebble-challtestsrv",
    ["-dns01", `127.0.0.1:${dnsPort}`, "-management", `127.0.0.1:${managementPort}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv6", ""],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  started(challtestsrv, "pebble-challtestsrv", output);
  const challtestsrvUrl = `http://127.0.0.1:${managementPort}`;
  await eventually(async () => ((await fetch(`${challtestsrvUrl}/clear-a`, { method: "POST", body: '{"host":"probe."}' })).ok ? true : undefined), 10_000, "pebble-challtestsrv").catch((error: Error) => {
    throw new Error(`${error.message}\n${output.join("")}`);
  });
  const pebble = spawn("pebble", ["-config", configFile, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
  });
  started(pebble, "pebble", output);
  const directoryUrl = `https://127.0.0.1:${listenPort}/dir`;
  const caPem = readFileSync(caFile, "utf8");
  // Node's fetch cannot be given a CA per call; https.get can.
  const get = (url: string) =>
    new Promise<{ ok: boolean; body: string }>((resolve, reject) => {
      https
        .get(url, { ca: caPem }, (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => (body += chunk.toString()));
          response.on("end", () => resolve({ ok: response.statusCode === 200, body }));
        })
        .on("error", reject);
    });
  await eventually(async () => ((await get(directoryUrl)).ok ? true : undefined), 15_000, "pebble's directory").catch((error: Error) => {
    throw new Error(`${error.message}\n${output.join("")}`);
  });
  return {
    directoryUrl,
    caFile,
    caPem,
    challtestsrvUrl,
    httpPort,
    async issuingRootPem() {
      return (await get(`https://127.0.0.1:${pebbleManagementPort}/roots/0`)).body;
    },
    ordersAdded() {
      return output.join("").match(/^.*Added order "[^"]+" to the db$/gm)?.length ?? 0;
    },
    async certificateStatus(chainPem) {
      const leaf = new X509Certificate(chainPem);
      // Pebble names a certificate by its serial in lower-case hex without leading zeros.
      const serial = BigInt(`0x${leaf.serialNumber}`).toString(16);
      const answer = await get(`https://127.0.0.1:${pebbleManagementPort}/cert-status-by-serial/${serial}`);
      return answer.ok ? (JSON.parse(answer.body) as PebbleCertificateStatus) : null;
    },
    async stop() {
      for (const child of [pebble, challtestsrv]) {
        if (child.exitCode !== null) continue;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
