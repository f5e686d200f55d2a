// An instance whose plan has a services VM (`servicesVmFlavor`): the VM's cloud-init user-data (memcached and
// Elasticsearch as Tutor 17.0.6 runs them, behind a firewall) in a golden file, the application VM's Tutor config
// pointed at it, and the OVH driver, through the real `ovh` client against the loopback OVH API
// (tests/helpers/fake-ovh.ts), creating both VMs for one instance and deleting both. Tutor's settings were read in
// overhangio/tutor at v17.0.6 (tutor/templates/config/defaults.yml, tutor/templates/local/docker-compose.yml).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PLANS } from "@/server/billing/plans";
import { renderServicesUserData } from "@/server/infra/compute/cloud-init/services-vm";
import { assertStateOffVm } from "@/server/infra/compute/cloud-init/state-off-vm";
import { createOvhApi } from "@/server/infra/compute/ovh/api-client";
import { createOvhComputeDriver } from "@/server/infra/compute/ovh/public-cloud";
import { renderUserData } from "@/server/infra/compute/cloud-init/user-data";
import { DEPLOYMENT_ID, deployedConfig, instance, PLATFORM } from "./helpers/sample-deployment";
import { startFakeOvh } from "./helpers/fake-ovh";

const GOLDEN = path.join(__dirname, "golden", "ovh-services-vm-user-data.yaml");
type CloudConfig = { packages: string[]; write_files: { path: string; content: string }[]; runcmd: string[][] };
const fileIn = (cloudConfig: CloudConfig, suffix: string) => cloudConfig.write_files.find((file) => file.path.endsWith(suffix));
const CLIENT_CIDR = "10.10.0.0/16";
const SERVICES_IP = "10.10.3.7";

const hasCloudInit = (() => {
  try {
    execFileSync("cloud-init", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("the services VM's cloud-init user-data", () => {
  const userData = renderServicesUserData({ instanceId: instance.id, flavor: "b3-8" }, { clientCidr: CLIENT_CIDR });
  const cloudConfig = parse(userData) as CloudConfig;

  it("matches the golden file (UPDATE_GOLDEN=1 rewrites it)", () => {
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, userData);
    expect(userData).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("runs memcached and Tutor 17.0.6's Elasticsearch, each published on its port", () => {
    const commands = cloudConfig.runcmd.map((command) => command.join(" "));
    expect(commands).toContainEqual(expect.stringMatching(/^docker run .*--publish 11211:11211 docker\.io\/memcached:1\.6-alpine$/));
    const elasticsearch = commands.find((command) => command.includes("docker.io/elasticsearch:7.17.13"))!;
    for (const setting of ["cluster.name=openedx", "bootstrap.memory_lock=true", "discovery.type=single-node", "ES_JAVA_OPTS=-Xms1g -Xmx1g"]) expect(elasticsearch).toContain(setting);
    expect(elasticsearch).toContain("--publish 9200:9200");
    expect(fileIn(cloudConfig, "60-elasticsearch.conf")!.content).toBe("vm.max_map_count = 262144\n");
  });

  it("answers the application VMs' network only, from before Docker publishes anything", () => {
    const rules = fileIn(cloudConfig, "/etc/lyceum/services.nft")!.content;
    expect(rules).toContain(`meta l4proto tcp ct original proto-dst { 11211, 9200 } ip saddr ${CLIENT_CIDR} accept`);
    expect(rules).toContain("meta l4proto tcp ct original proto-dst { 11211, 9200 } drop");
    expect(cloudConfig.runcmd[0]).toEqual(["systemctl", "enable", "--now", "lyceum-services-firewall.service"]);
  });

  it("is refused without OVH_SERVICES_CLIENT_CIDR, naming it", () => {
    expect(() => renderServicesUserData({ instanceId: instance.id, flavor: "b3-8" }, { clientCidr: undefined })).toThrow(/OVH_SERVICES_CLIENT_CIDR/);
  });

  it.skipIf(!hasCloudInit)("passes `cloud-init schema`", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "services-user-data-"));
    try {
      const file = path.join(dir, "user-data.yaml");
      writeFileSync(file, userData);
      expect(execFileSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).toMatch(/Valid (cloud-config|schema)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the application VM of an instance with a services VM", () => {
  const userData = renderUserData({ deploymentId: DEPLOYMENT_ID, instanceId: instance.id, siteConfig: { ...deployedConfig(), servicesHost: SERVICES_IP } }, PLATFORM);
  const cloudConfig = parse(userData) as CloudConfig;
  const tutorConfig = parse(fileIn(cloudConfig, "/tutor/config.yml")!.content) as Record<string, unknown>;
  const plugin = parse(fileIn(cloudConfig, "/tutor-plugins/lyceum.yml")!.content) as { patches: Record<string, string> };

  it("points Tutor's Elasticsearch and the plugin's memcached at it, and runs neither itself", () => {
    expect(tutorConfig).toMatchObject({
      RUN_ELASTICSEARCH: false,
      ELASTICSEARCH_SCHEME: "http",
      ELASTICSEARCH_HOST: SERVICES_IP,
      ELASTICSEARCH_PORT: 9200,
      // Tutor 17 has no memcached setting (its caches are in Redis): the lyceum plugin's key carries it.
      LYCEUM_MEMCACHED_HOST: `${SERVICES_IP}:11211`,
    });
    expect(plugin.patches["local-docker-compose-services"]).not.toContain("memcached");
    expect(fileIn(cloudConfig, "60-elasticsearch.conf")).toBeUndefined();
    expect(() => assertStateOffVm(tutorConfig)).not.toThrow();
  });

  it("still rebuilds the course search index at boot (a no-op when the services VM kept it)", () => {
    expect(cloudConfig.runcmd.map((command) => command.join(" ")).join("\n")).toContain("./manage.py cms reindex_course --all --setup");
  });

  it("is what a plan with the option asks for", () => {
    expect(PLANS.filter((plan) => plan.servicesVmFlavor).map((plan) => [plan.id, plan.servicesVmFlavor])).toEqual([["scale", "b3-8"]]);
  });
});

describe("the OVH driver and an instance's services VM (contract-tested: not against OVH)", () => {
  const credentials = { applicationKey: "lyceum-app-key", applicationSecret: "lyceum-app-secret", consumerKey: "lyceum-consumer-key" };
  const projectId = "0123456789abcdef0123456789abcdef";
  const region = "GRA11";
  let fake: Awaited<ReturnType<typeof startFakeOvh>>;
  const previousCa = https.globalAgent.options.ca;

  beforeAll(async () => {
    fake = await startFakeOvh({ credentials, projectId, regions: [region], buildReads: 2, flavors: [{ name: "b3-8", region }, { name: "b3-32", region }] });
    https.globalAgent.options.ca = fake.certificate;
  });

  afterAll(async () => {
    https.globalAgent.options.ca = previousCa;
    await fake?.close();
  });

  it("creates two VMs for the instance, the application's pointed at the services', lists each as its kind and deletes both", async () => {
    const compute = createOvhComputeDriver(createOvhApi({ endpoint: fake.endpoint, ...credentials }), {
      projectId,
      region,
      imageId: "image-ubuntu-2404",
      sshKeyId: "ssh-key-staff",
      resourcePrefix: "lyt",
      renderUserData: (spec) => renderUserData(spec, PLATFORM),
      renderServicesUserData: (spec) => renderServicesUserData(spec, { clientCidr: CLIENT_CIDR }),
      pollIntervalMs: 10,
    });
    const signal = new AbortController().signal;
    const known: string[] = [];

    const services = await compute.ensureServicesServer({ instanceId: instance.id, flavor: "b3-8" }, signal, { onServerKnown: async (id) => void known.push(id) });
    expect(services.isNew).toBe(true);
    expect(services.address).toMatch(/^203\.0\.113\.\d+$/);
    // Found by name the next time (a redeploy): not a second one.
    expect(await compute.ensureServicesServer({ instanceId: instance.id, flavor: "b3-8" }, signal)).toMatchObject({ serverId: services.serverId, isNew: false });

    const app = await compute.ensureServer(
      { deploymentId: DEPLOYMENT_ID, instanceId: instance.id, siteConfig: { ...deployedConfig(), vmFlavor: "b3-32", servicesHost: services.address } },
      signal,
      { onServerKnown: async (id) => void known.push(id) },
    );
    const creations = fake.calls.filter((call) => call.method === "POST" && call.path === `/cloud/project/${projectId}/instance`);
    expect(creations).toHaveLength(2);
    expect(known).toEqual([services.serverId, app.serverId]);
    const servicesVm = fake.instances.get(services.serverId)!;
    const appVm = fake.instances.get(app.serverId)!;
    expect(servicesVm).toMatchObject({ name: `lyt-services-${instance.id}`, flavorId: fake.flavors.find((flavor) => flavor.name === "b3-8")!.id });
    expect(servicesVm.userData).toContain("docker.io/elasticsearch:7.17.13");
    expect(appVm).toMatchObject({ name: `lyt-${DEPLOYMENT_ID}`, flavorId: fake.flavors.find((flavor) => flavor.name === "b3-32")!.id });
    const appTutorConfig = parse((parse(appVm.userData!) as CloudConfig).write_files.find((file) => file.path.endsWith("/tutor/config.yml"))!.content);
    expect(appTutorConfig).toMatchObject({ RUN_ELASTICSEARCH: false, ELASTICSEARCH_HOST: services.address, LYCEUM_MEMCACHED_HOST: `${services.address}:11211` });

    // Reconcile sees each in its own list (each compared with its own ledger kind).
    expect((await compute.listServers()).map((server) => server.serverId)).toEqual([app.serverId]);
    expect(await compute.listServicesServers()).toEqual([{ serverId: services.serverId, address: services.address }]);

    await compute.destroyServer(app.serverId);
    await compute.destroyServer(services.serverId);
    const deletions = fake.calls.filter((call) => call.method === "DELETE").map((call) => call.path);
    expect(deletions).toEqual([`/cloud/project/${projectId}/instance/${app.serverId}`, `/cloud/project/${projectId}/instance/${services.serverId}`]);
    expect(fake.instances.size).toBe(0);
  });
});
