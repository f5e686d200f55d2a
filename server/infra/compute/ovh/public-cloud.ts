// Production compute: one OVH Public Cloud VM per application server of a deployment, booted with cloud-init
// user-data that installs Open edX with Tutor (../cloud-init/). VMs are named <resource prefix>-<server key> (the
// deployment id, then "-<index>" after its first server), so the name alone says which deployment a VM serves
// and that it is ours; ensureServer finds a VM by that name before creating one. An instance whose plan asks for
// it also has one services VM (memcached and Elasticsearch), named <resource prefix>-services-<instance id> and
// kept across its deployments.
import { SERVER_KEY_PATTERN, serverKeyOf, type ComputeDriver, type ServerInfo, type ServerProgress, type ServerSpec, type ServicesServerSpec } from "../driver";
import { ServerCannotBeReconfiguredError } from "../driver";
import { type OvhApi, OvhApiError } from "./api-client";

/** The fields of OVH's cloud.instance.Instance / InstanceDetail that Lyceum reads. */
type OvhInstance = {
  id: string;
  name: string;
  /** BUILD, ACTIVE, ERROR, DELETING, … (OpenStack's server states). */
  status: string;
  region: string;
  ipAddresses: { ip: string; type: string; version: number }[];
};

/** The fields of OVH's cloud.flavor.Flavor that Lyceum reads. */
type OvhFlavor = { id: string; name: string; region: string };

type OvhComputeSettings = {
  projectId: string;
  region: string;
  /** OVH_FLAVOR_ID: for a deployment whose configuration names no flavor (its plan's `vmFlavor`, e.g. "b3-16"). */
  flavorId?: string;
  imageId: string;
  sshKeyId: string;
  /** Starts every VM name (LYCEUM_RESOURCE_PREFIX): portals sharing a project tell their VMs apart by it. */
  resourcePrefix: string;
  /** The cloud-init user-data for a deployment. It holds the instance's passwords: never log it. */
  renderUserData: (spec: ServerSpec) => string | Promise<string>;
  /** The cloud-init user-data of an instance's services VM (../cloud-init/services-vm.ts). */
  renderServicesUserData?: (spec: ServicesServerSpec) => string | Promise<string>;
  /** Between two status reads while a VM builds (at most progressIntervalMs). */
  pollIntervalMs?: number;
  /**
   * OVH_BUILD_TIMEOUT_SECONDS: how long a VM may stay in BUILD before the attempt fails. A slow build is the
   * provider working, not a failure, so the wait is this long rather than a step's usual few minutes.
   */
  buildTimeoutMs?: number;
  /** OVH_BUILD_PROGRESS_SECONDS: how often a build that is still going is reported (onStillBuilding). */
  progressIntervalMs?: number;
};

const DEFAULT_BUILD_TIMEOUT_MS = 1_800_000;
const DEFAULT_PROGRESS_INTERVAL_MS = 60_000;

/** Open edX behind Tutor's Caddy answers plain HTTP on port 80; TLS ends at the load balancer. */
const HTTP_PORT = 80;
const UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export function createOvhComputeDriver(api: OvhApi, settings: OvhComputeSettings): OvhComputeDriver {
  return new OvhComputeDriver(api, settings);
}

class OvhComputeDriver implements ComputeDriver {
  readonly name = "ovh";
  /** A VM reads its user-data once, at first boot; there is no SSH from Lyceum to change it afterwards. */
  readonly canReconfigureInPlace = false;
  private readonly base: string;
  /** Flavor name → id in our region; a flavor's id does not change, so one look-up per name per process. */
  private readonly flavorIds = new Map<string, string>();

  constructor(
    private readonly api: OvhApi,
    private readonly settings: OvhComputeSettings,
  ) {
    this.base = `/cloud/project/${encodeURIComponent(settings.projectId)}`;
  }

  vmName(server: string | Pick<ServerSpec, "deploymentId" | "serverIndex">) {
    return `${this.settings.resourcePrefix}-${typeof server === "string" ? server : serverKeyOf(server)}`;
  }

  /** How long ensureServer may wait for a VM to build: a step calling it must allow at least this long. */
  get buildTimeoutMs() {
    return this.settings.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  }

  servicesVmName(instanceId: string) {
    return `${this.settings.resourcePrefix}-services-${instanceId}`;
  }

  async ensureServer(spec: ServerSpec, signal: AbortSignal, progress: ServerProgress = {}): Promise<ServerInfo & { isNew: boolean }> {
    const { vm, isNew } = await this.ensureVm(this.vmName(spec), async () => ({
      flavorId: await this.flavorIdFor(spec, signal),
      userData: await this.settings.renderUserData(spec),
    }), signal, progress);
    return { serverId: vm.id, address: addressOf(vm), isNew };
  }

  async ensureServicesServer(spec: ServicesServerSpec, signal: AbortSignal, progress: ServerProgress = {}): Promise<ServerInfo & { isNew: boolean }> {
    const render = this.settings.renderServicesUserData;
    if (!render) throw new Error("the OVH compute driver was configured without a services VM renderer");
    const { vm, isNew } = await this.ensureVm(this.servicesVmName(spec.instanceId), async () => ({
      flavorId: await this.flavorIdByName(spec.flavor, signal),
      userData: await render(spec),
    }), signal, progress);
    // Its services listen on their own ports (11211, 9200): the address is the bare IP.
    return { serverId: vm.id, address: publicIpv4(vm), isNew };
  }

  async listServicesServers(signal?: AbortSignal): Promise<ServerInfo[]> {
    return (await this.listOurs("services", signal)).map((vm) => ({ serverId: vm.id, address: publicIpv4(vm) }));
  }

  /** The VM of this name, booted when there is none (or replaced when it failed to build), once ACTIVE. */
  private async ensureVm(name: string, boot: () => Promise<{ flavorId: string; userData: string }>, signal: AbortSignal, progress: ServerProgress) {
    let vm = (await this.listOurs("all", signal)).find((candidate) => candidate.name === name);
    let isNew = false;
    if (vm?.status === "ERROR") {
      // A VM that failed to build never recovers; a retry replaces it rather than waiting on it forever.
      await this.deleteInstance(vm.id, signal);
      vm = undefined;
    }
    if (!vm) {
      const { flavorId, userData } = await boot();
      vm = await this.api.request<OvhInstance>("POST", `${this.base}/instance`, {
        name,
        region: this.settings.region,
        flavorId,
        imageId: this.settings.imageId,
        sshKeyId: this.settings.sshKeyId,
        userData,
        monthlyBilling: false,
      }, signal);
      isNew = true;
    }
    // Known before the wait: whatever ends the wait, the caller has already recorded the VM.
    await progress.onServerKnown?.(vm.id);
    return { vm: await this.waitUntilActive(vm.id, signal, progress), isNew };
  }

  async reconfigureServer(serverId: string): Promise<void> {
    throw new ServerCannotBeReconfiguredError(this.name, serverId);
  }

  async stopServer(serverId: string, signal?: AbortSignal): Promise<void> {
    const vm = await this.api.request<OvhInstance>("GET", `${this.base}/instance/${encodeURIComponent(serverId)}`, undefined, signal);
    if (vm.status.startsWith("SHELVED")) return;
    await this.api.request("POST", `${this.base}/instance/${encodeURIComponent(serverId)}/shelve`, undefined, signal);
  }

  async startServer(serverId: string, signal: AbortSignal): Promise<ServerInfo> {
    const vm = await this.api.request<OvhInstance>("GET", `${this.base}/instance/${encodeURIComponent(serverId)}`, undefined, signal);
    if (vm.status.startsWith("SHELVED")) await this.api.request("POST", `${this.base}/instance/${encodeURIComponent(serverId)}/unshelve`, undefined, signal);
    const active = await this.waitUntilActive(serverId, signal, {});
    return { serverId: active.id, address: addressOf(active) };
  }

  async destroyServer(serverId: string, signal?: AbortSignal): Promise<void> {
    await this.deleteInstance(serverId, signal);
  }

  async listServers(signal?: AbortSignal): Promise<ServerInfo[]> {
    return (await this.listOurs("deployments", signal)).map((vm) => ({ serverId: vm.id, address: addressOf(vm) }));
  }

  /** The size the deployment's plan asks for (siteConfig.vmFlavor, an OVH flavor name), as OVH's flavor id in our region. */
  async flavorIdFor(spec: ServerSpec, signal?: AbortSignal): Promise<string> {
    const wanted = spec.siteConfig.vmFlavor;
    if (wanted === undefined || wanted === null || wanted === "") {
      if (!this.settings.flavorId) throw new Error("the deployment's configuration names no VM flavor and OVH_FLAVOR_ID is not set");
      return this.settings.flavorId;
    }
    if (typeof wanted !== "string") throw new Error(`the deployment's VM flavor must be an OVH flavor name such as b3-8, not ${JSON.stringify(wanted)}`);
    return this.flavorIdByName(wanted, signal);
  }

  /** OVH's id, in our region, of a flavor name such as "b3-8". */
  async flavorIdByName(wanted: string, signal?: AbortSignal): Promise<string> {
    const known = this.flavorIds.get(wanted);
    if (known) return known;
    const { region } = this.settings;
    const flavors = await this.api.request<OvhFlavor[]>("GET", `${this.base}/flavor`, { region }, signal);
    for (const flavor of flavors) if (flavor.region === region) this.flavorIds.set(flavor.name, flavor.id);
    const found = this.flavorIds.get(wanted);
    if (!found) {
      const offered = [...new Set(flavors.filter((flavor) => flavor.region === region).map((flavor) => flavor.name))].sort();
      const some = offered.length ? `; it offers ${offered.slice(0, 12).join(", ")}${offered.length > 12 ? ", …" : ""}` : "";
      throw new Error(`OVH has no flavor "${wanted}" in region ${region} (project ${this.settings.projectId})${some}`);
    }
    return found;
  }

  /** Our VMs in the region: application servers' (<prefix>-<server key>), services VMs (<prefix>-services-<instance id>), or both. */
  private async listOurs(which: "deployments" | "services" | "all", signal?: AbortSignal): Promise<OvhInstance[]> {
    const all = await this.api.request<OvhInstance[]>("GET", `${this.base}/instance`, { region: this.settings.region }, signal);
    const pattern = { deployments: SERVER_KEY_PATTERN, services: `services-${UUID_PATTERN}`, all: `(?:${SERVER_KEY_PATTERN}|services-${UUID_PATTERN})` }[which];
    const ours = new RegExp(`^${this.settings.resourcePrefix}-${pattern}$`);
    return all.filter((vm) => ours.test(vm.name));
  }

  private async deleteInstance(id: string, signal?: AbortSignal) {
    try {
      await this.api.request("DELETE", `${this.base}/instance/${encodeURIComponent(id)}`, undefined, signal);
    } catch (error) {
      if (error instanceof OvhApiError && error.status === 404) return; // already gone
      throw error;
    }
  }

  private async waitUntilActive(id: string, signal: AbortSignal, progress: ServerProgress): Promise<OvhInstance> {
    const progressIntervalMs = this.settings.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    const intervalMs = Math.min(this.settings.pollIntervalMs ?? 5000, progressIntervalMs);
    const startedAt = Date.now();
    let reportedAt = startedAt;
    for (;;) {
      signal.throwIfAborted();
      const vm = await this.api.request<OvhInstance>("GET", `${this.base}/instance/${encodeURIComponent(id)}`, undefined, signal);
      if (vm.status === "ACTIVE") {
        if (!addressOf(vm)) throw new Error(`VM ${vm.name} (${vm.id}) is ACTIVE but has no public IPv4 address`);
        return vm;
      }
      if (vm.status === "ERROR") {
        throw new Error(`VM ${vm.name} (${vm.id}) failed to build (status ERROR in ${vm.region}); the next attempt deletes it and boots a new one`);
      }
      const waitedMs = Date.now() - startedAt;
      if (waitedMs >= this.buildTimeoutMs) {
        throw new Error(
          `VM ${vm.name} (${vm.id}) is still ${vm.status} after ${Math.round(waitedMs / 1000)} s, beyond OVH_BUILD_TIMEOUT_SECONDS (${Math.round(this.buildTimeoutMs / 1000)} s)`,
        );
      }
      if (Date.now() - reportedAt >= progressIntervalMs) {
        reportedAt = Date.now();
        await progress.onStillBuilding?.(waitedMs);
      }
      await sleep(intervalMs, signal);
    }
  }
}

function publicIpv4(vm: OvhInstance): string {
  return vm.ipAddresses.find((address) => address.type === "public" && address.version === 4)?.ip ?? "";
}

function addressOf(vm: OvhInstance): string {
  const ip = publicIpv4(vm);
  return ip ? `${ip}:${HTTP_PORT}` : "";
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
