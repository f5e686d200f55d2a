// A loopback HTTPS server that checks requests the way the OVH API (https://eu.api.ovh.com/1.0) does and answers
// like it, for the OVH compute driver's contract test (OVH is not reachable from here). GET /auth/time gives the
// server's clock; every other call must carry X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp (within the
// server's window) and X-Ovh-Signature = "$1$" + SHA-1 hex of
// "<application secret>+<consumer key>+<METHOD>+<full URL>+<body>+<timestamp>", recomputed here. Failures use
// OVH's error shape ({ errorCode, httpCode, message }, 400 or 403). It keeps Public Cloud instances that build
// (BUILD, then ACTIVE with addresses after a few reads, or ERROR) and answers 404 for unknown ones. It lists the
// project's flavors (GET …/flavor?region=, cloud.flavor.Flavor objects) and, like OVH, refuses to create an
// instance whose flavorId is not a flavor of its region.
import { execFileSync } from "node:child_process";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { OVH_DRIVER_SETTINGS } from "./configuration";

type OvhCredentials = { applicationKey: string; applicationSecret: string; consumerKey: string };
type OvhCall = { method: string; path: string; query: Record<string, string>; body: unknown };
type FakeOvhInstance = {
  id: string;
  name: string;
  status: string;
  region: string;
  flavorId: string;
  imageId: string;
  sshKeyId: string;
  userData: string;
  monthlyBilling: boolean;
  created: string;
  ipAddresses: { ip: string; type: "public" | "private"; version: 4 | 6; networkId: string; gatewayIp: string | null }[];
  /** Status reads left before BUILD turns ACTIVE (or ERROR, for names in failBuilds). */
  readsUntilBuilt: number;
};

/** cloud.flavor.Flavor: one per name and region (OVH gives each region's flavor its own id). */
type FakeOvhFlavor = {
  id: string;
  name: string;
  region: string;
  vcpus: number;
  ram: number;
  disk: number;
  osType: "linux" | "windows";
  type: string;
  available: boolean;
};

/** OVH refuses a request whose timestamp is this far from its clock. */
const TIMESTAMP_WINDOW_SECONDS = 180;

export async function startFakeOvh(options: {
  credentials: OvhCredentials;
  projectId: string;
  regions: string[];
  /** The server's clock minus this machine's, in seconds: the client must sync through /auth/time. */
  clockSkewSeconds?: number;
  /** Status reads an instance stays in BUILD for. */
  buildReads?: number;
  /** Instead of buildReads: how long an instance stays in BUILD, in milliseconds (a slow build, by the clock). */
  buildMs?: number;
  /** The flavors the project can use: name (e.g. "b3-8"), region, and an id (a UUID by default). */
  flavors: (Pick<FakeOvhFlavor, "name" | "region"> & { id?: string })[];
}) {
  const { credentials, projectId } = options;
  const instances = new Map<string, FakeOvhInstance>();
  const failBuilds = new Set<string>();
  /** Names of instances that come back from a shelve on a new public IP (OVH does not promise to keep it). */
  const movesOnUnshelve = new Set<string>();
  /** When set, every instance creation is refused with this message (a 400, as OVH's error shape). */
  let createRefusal: string | null = null;
  const flavors: FakeOvhFlavor[] = options.flavors.map(({ id, name, region }) => {
    // A b3-16 has 16 GB of memory and 4 vCPUs (OVH's naming); the numbers are there for realism only.
    const ramGb = Number(/-(\d+)$/.exec(name)?.[1] ?? 8);
    return { id: id ?? randomUUID(), name, region, vcpus: Math.max(2, ramGb / 4), ram: ramGb * 1000, disk: 50, osType: "linux", type: "ovh.ssd.eg", available: true };
  });
  const calls: OvhCall[] = [];
  const rejected: { status: number; errorCode: string; message: string }[] = [];
  let timeRequests = 0;
  let nextIp = 10;
  const newAddresses = (): FakeOvhInstance["ipAddresses"] => {
    nextIp++;
    return [
      { ip: `2001:db8::${nextIp}`, type: "public", version: 6, networkId: "ext-net", gatewayIp: null },
      { ip: `203.0.113.${nextIp}`, type: "public", version: 4, networkId: "ext-net", gatewayIp: "203.0.113.1" },
    ];
  };
  const now = () => Math.round(Date.now() / 1000) + (options.clockSkewSeconds ?? 0);

  const dir = mkdtempSync(path.join(os.tmpdir(), "fake-ovh-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  const certificate = readFileSync(path.join(dir, "cert.pem"), "utf8");
  const key = readFileSync(path.join(dir, "key.pem"), "utf8");
  rmSync(dir, { recursive: true, force: true });

  const server = https.createServer({ cert: certificate, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      const fail = (status: number, errorCode: string, message: string) => {
        rejected.push({ status, errorCode, message });
        reply(status, { errorCode, httpCode: `${status} ${status === 400 ? "Bad Request" : status === 403 ? "Forbidden" : "Not Found"}`, message });
      };
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const method = req.method ?? "GET";
      if (!url.pathname.startsWith("/1.0/")) return fail(404, "NOT_FOUND", "Got an invalid (or empty) URL");
      const apiPath = url.pathname.slice("/1.0".length);

      if (method === "GET" && apiPath === "/auth/time") {
        timeRequests++;
        return reply(200, now());
      }

      // Authentication, in OVH's order: the application, the consumer key, the clock, then the signature.
      const header = (name: string) => String(req.headers[name] ?? "");
      if (header("x-ovh-application") !== credentials.applicationKey) return fail(403, "INVALID_KEY", "Invalid application key");
      if (header("x-ovh-consumer") !== credentials.consumerKey) return fail(403, "INVALID_CREDENTIAL", "This credential does not exist");
      const timestamp = header("x-ovh-timestamp");
      if (!/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - now()) > TIMESTAMP_WINDOW_SECONDS) {
        return fail(400, "QUERY_TIME_OUT", "Query out of time");
      }
      // The client signs the URL it asked for; the real API is on 443, so that URL has no port.
      const signedUrl = `https://${(req.headers.host ?? "").replace(/:\d+$/, "")}${req.url}`;
      const expected = `$1$${createHash("sha1").update([credentials.applicationSecret, credentials.consumerKey, method, signedUrl, rawBody, timestamp].join("+")).digest("hex")}`;
      const given = header("x-ovh-signature");
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
        return fail(400, "INVALID_SIGNATURE", "Invalid signature");
      }

      let body: unknown = null;
      if (rawBody) {
        if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return fail(400, "INVALID_BODY", "Body must be JSON");
        try {
          body = JSON.parse(rawBody);
        } catch {
          return fail(400, "INVALID_BODY", "Invalid JSON received");
        }
      }
      calls.push({ method, path: apiPath, query: Object.fromEntries(url.searchParams), body });

      const flavorList = /^\/cloud\/project\/([^/]+)\/flavor$/.exec(apiPath);
      if (flavorList && method === "GET") {
        if (decodeURIComponent(flavorList[1]!) !== projectId) return reply(404, { class: "Client::NotFound", message: `This service does not exist` });
        const region = url.searchParams.get("region");
        if (region && !options.regions.includes(region)) return fail(400, "INVALID_BODY", `Region ${region} is not available`);
        return reply(200, flavors.filter((flavor) => !region || flavor.region === region));
      }
      // POST …/instance/{instanceId}/shelve and …/unshelve (OVH API v1, cloud): no body; the VM goes to
      // SHELVED_OFFLOADED (compute freed, disk kept) and back through UNSHELVING to ACTIVE.
      const match = /^\/cloud\/project\/([^/]+)\/instance(?:\/([^/]+)(?:\/(shelve|unshelve))?)?$/.exec(apiPath);
      if (!match) return fail(404, "NOT_FOUND", `Got an invalid (or empty) URL: ${apiPath}`);
      if (decodeURIComponent(match[1]!) !== projectId) {
        return reply(404, { class: "Client::NotFound", message: `This service does not exist` });
      }
      const instanceId = match[2] ? decodeURIComponent(match[2]) : null;

      if (!instanceId && method === "GET") {
        const region = url.searchParams.get("region");
        return reply(200, [...instances.values()].filter((vm) => !region || vm.region === region).map(publicView));
      }
      if (!instanceId && method === "POST") {
        if (createRefusal !== null) return fail(400, "INVALID_BODY", createRefusal);
        const input = (body ?? {}) as Record<string, unknown>;
        for (const field of ["name", "flavorId", "imageId", "region"]) {
          if (typeof input[field] !== "string" || !input[field]) return fail(400, "INVALID_BODY", `Missing parameter: ${field}`);
        }
        if (!options.regions.includes(String(input.region))) return fail(400, "INVALID_BODY", `Region ${String(input.region)} is not available`);
        if (!flavors.some((flavor) => flavor.id === input.flavorId && flavor.region === input.region)) {
          return fail(400, "INVALID_BODY", `Flavor ${String(input.flavorId)} does not exist in region ${String(input.region)}`);
        }
        if (input.userData !== undefined && typeof input.userData !== "string") return fail(400, "INVALID_BODY", "userData must be a string");
        if (input.monthlyBilling !== undefined && typeof input.monthlyBilling !== "boolean") return fail(400, "INVALID_BODY", "monthlyBilling must be a boolean");
        const vm: FakeOvhInstance = {
          id: randomUUID(),
          name: String(input.name),
          status: "BUILD",
          region: String(input.region),
          flavorId: String(input.flavorId),
          imageId: String(input.imageId),
          sshKeyId: String(input.sshKeyId ?? ""),
          userData: String(input.userData ?? ""),
          monthlyBilling: Boolean(input.monthlyBilling),
          created: new Date().toISOString(),
          ipAddresses: [],
          readsUntilBuilt: options.buildReads ?? 2,
        };
        instances.set(vm.id, vm);
        return reply(200, publicView(vm));
      }
      const vm = instanceId ? instances.get(instanceId) : undefined;
      const notFound = () => reply(404, { class: "Client::NotFound", message: `The requested object (instanceId = ${instanceId}) does not exist` });
      const action = match[3];
      if (action) {
        if (method !== "POST") return fail(400, "INVALID_METHOD", `${method} is not allowed on ${apiPath}`);
        if (!vm) return notFound();
        if (body !== null && body !== undefined && JSON.stringify(body) !== "{}") return fail(400, "INVALID_BODY", `${action} takes no parameters`);
        if (action === "shelve") {
          if (vm.status !== "ACTIVE") return fail(400, "INVALID_STATE", `Instance ${vm.id} cannot be shelved in status ${vm.status}`);
          vm.status = "SHELVED_OFFLOADED";
        } else {
          if (!vm.status.startsWith("SHELVED")) return fail(400, "INVALID_STATE", `Instance ${vm.id} cannot be unshelved in status ${vm.status}`);
          vm.status = "UNSHELVING";
          vm.readsUntilBuilt = options.buildReads ?? 2;
          if (movesOnUnshelve.has(vm.name)) vm.ipAddresses = newAddresses();
        }
        return reply(200, null);
      }
      if (method === "GET") {
        if (!vm) return notFound();
        const isBuilt = () => (options.buildMs === undefined ? --vm.readsUntilBuilt <= 0 : Date.now() - Date.parse(vm.created) >= options.buildMs);
        if (vm.status === "UNSHELVING" && --vm.readsUntilBuilt <= 0) vm.status = "ACTIVE";
        if (vm.status === "BUILD" && isBuilt()) {
          if (failBuilds.has(vm.name)) {
            vm.status = "ERROR";
          } else {
            vm.status = "ACTIVE";
            vm.ipAddresses = newAddresses();
          }
        }
        return reply(200, publicView(vm));
      }
      if (method === "DELETE") {
        if (!vm) return notFound();
        instances.delete(vm.id);
        return reply(200, null);
      }
      return fail(400, "INVALID_METHOD", `${method} is not allowed on ${apiPath}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    /** What OVH_ENDPOINT is set to for this server. */
    endpoint: `https://127.0.0.1:${port}/1.0`,
    /** The server's self-signed certificate, for the client to trust. */
    certificate,
    instances,
    flavors,
    calls,
    rejected,
    timeRequests: () => timeRequests,
    /** Every instance creation from now on is refused with this message (null: accepted again). */
    refuseCreatesWith: (message: string | null) => {
      createRefusal = message;
    },
    /** Instances with this name get a new public IP when they are unshelved. */
    moveOnUnshelveOf: (name: string) => movesOnUnshelve.add(name),
    /** Instances with this name end in ERROR instead of ACTIVE. */
    failBuildOf: (name: string) => failBuilds.add(name),
    /** The COMPUTE_DRIVER=ovh settings that point Lyceum at this server (with the project's first flavor as OVH_FLAVOR_ID). */
    environment: () => ({
      ...OVH_DRIVER_SETTINGS,
      OVH_ENDPOINT: `https://127.0.0.1:${port}/1.0`,
      OVH_APPLICATION_KEY: credentials.applicationKey,
      OVH_APPLICATION_SECRET: credentials.applicationSecret,
      OVH_CONSUMER_KEY: credentials.consumerKey,
      OVH_PROJECT_ID: projectId,
      OVH_REGION: options.regions[0]!,
      OVH_FLAVOR_ID: flavors[0]!.id,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the API returns for an instance (InstanceDetail): the test's bookkeeping stays out. */
function publicView(vm: FakeOvhInstance) {
  const { id, name, status, region, flavorId, imageId, sshKeyId, monthlyBilling, created, ipAddresses } = vm;
  return { id, name, status, region, flavorId, imageId, sshKeyId, monthlyBilling, created, ipAddresses };
}
