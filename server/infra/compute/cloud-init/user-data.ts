// The cloud-init user-data an OVH VM boots with (https://cloudinit.readthedocs.io/en/latest/reference/modules.html):
// Docker from Ubuntu's packages, Tutor in a virtualenv, the instance's config.yml and Lyceum's two Tutor plugins
// written to disk, then `tutor config save` and what `tutor local launch` does (start, then the init jobs), each
// part a boot phase the VM reports to the portal; logrotate ships the LMS tracking log to the bucket. It carries every password the instance has: it goes to the OVH API and nowhere else (never into a log, an
// event or the database).
import { firewallUnitFile } from "./firewall-unit";
import { stringify } from "yaml";
import type { ServerSpec } from "../driver";
import { bootReporterFiles, inBootPhase } from "./boot-phases";
import { themeFiles } from "./branding";
import { parseDeployedConfig, type DeployedConfig } from "./deployed-config";
import { ownerAccountCommand } from "./owner-account";
import { HEARTBEAT_SCRIPT_PATH, HEARTBEAT_SOURCE, monitoringFirewall } from "./vm-health";
import { TRACKING_LOG_SHIPPER_PACKAGE, trackingLogFiles } from "./tracking-logs";
import {
  renderTutorConfig,
  renderTutorPlugin,
  searchUserOf,
  servicesFor,
  TUTOR_MYSQL_PLUGIN_NAME,
  TUTOR_MYSQL_PLUGIN_SOURCE,
  TUTOR_PLUGIN_NAME,
  type PlatformServices,
} from "./tutor-config";

export type { PlatformServices } from "./tutor-config";

/**
 * Tutor and every plugin at the release's exact version (server/releases/): two VMs of one release run the same
 * code, and nothing changes under an instance until it is upgraded. Plain `tutor`, not `tutor[full]`, whose extra
 * would bring every other official plugin at whatever version is newest.
 */
function pinnedRequirements(release: DeployedConfig["release"]): string[] {
  const plugins = Object.entries(release.pluginVersions).sort(([a], [b]) => a.localeCompare(b));
  return [`tutor==${release.tutorVersion}`, ...plugins.map(([name, version]) => `${name}==${version}`)];
}

/** Tutor's documented course search reindex, run in a one-off CMS container. */
const SEARCH_REINDEX = ["local", "run", "cms", "./manage.py", "cms", "reindex_course", "--all", "--setup"];

/** OpenStack (under OVH Public Cloud) refuses user-data over 64 KiB. */
const MAX_USER_DATA_BYTES = 65_535;
const ROOT = "/opt/lyceum";
const TUTOR_ROOT = `${ROOT}/tutor`;
const PLUGINS_ROOT = `${ROOT}/tutor-plugins`;
const VENV = `${ROOT}/venv`;
/** Tutor reads its project root and its plugins' folder (YAML and Python plugins) from these. */
const TUTOR_ENV = [`TUTOR_ROOT=${TUTOR_ROOT}`, `TUTOR_PLUGINS_ROOT=${PLUGINS_ROOT}`];
/** Until the platform's own health check would pass (GET /heartbeat on port 80, ./tutor-config.ts's Caddy site), at most 15 minutes. */
const HEALTH_WAIT = ["timeout", "900", "sh", "-c", "until curl -fsS -o /dev/null http://127.0.0.1/heartbeat; do sleep 5; done"];
const FIREWALL_RULES = "/etc/lyceum/monitoring.nft";
const FIREWALL_UNIT = "lyceum-monitoring-firewall.service";
/** The firewall at every boot, before Docker and node_exporter. */
const FIREWALL_UNIT_FILE = firewallUnitFile({
  description: "Lyceum: metrics ports for the monitoring network only",
  before: "docker.service prometheus-node-exporter.service",
  rulesFile: FIREWALL_RULES,
});
const tutor = (...args: string[]) => ["env", ...TUTOR_ENV, `${VENV}/bin/tutor`, ...args];

export function renderUserData(spec: ServerSpec, platformServices: PlatformServices): string {
  const config = parseDeployedConfig(spec.siteConfig);
  const platform = servicesFor(config, platformServices);
  const writeFiles: Record<string, unknown>[] = [
    { path: `${TUTOR_ROOT}/config.yml`, owner: "root:root", permissions: "0600", content: tutorConfigYaml(renderTutorConfig(config, platform)) },
    { path: `${PLUGINS_ROOT}/${TUTOR_PLUGIN_NAME}.yml`, owner: "root:root", permissions: "0644", content: toYaml(renderTutorPlugin(platform, searchUserOf(config, platform) !== null)) },
    { path: `${PLUGINS_ROOT}/${TUTOR_MYSQL_PLUGIN_NAME}.py`, owner: "root:root", permissions: "0644", content: TUTOR_MYSQL_PLUGIN_SOURCE },
    {
      path: `${ROOT}/deployment.json`,
      owner: "root:root",
      permissions: "0644",
      content: `${JSON.stringify({ deploymentId: spec.deploymentId, instanceId: spec.instanceId, configVersion: config.configVersion })}\n`,
    },
    ...bootReporterFiles(config),
    ...trackingLogFiles({ tutorRoot: TUTOR_ROOT, root: ROOT, deploymentId: spec.deploymentId, storage: config.services.objectStorage }),
  ];
  const theme = themeFiles(config, { root: ROOT, tutorRoot: TUTOR_ROOT });
  writeFiles.push(...theme.files);
  writeFiles.push(
    { path: HEARTBEAT_SCRIPT_PATH, owner: "root:root", permissions: "0644", content: HEARTBEAT_SOURCE },
    { path: FIREWALL_RULES, owner: "root:root", permissions: "0644", content: monitoringFirewall(platform.monitoringCidr) },
    { path: `/etc/systemd/system/${FIREWALL_UNIT}`, owner: "root:root", permissions: "0644", content: FIREWALL_UNIT_FILE },
  );
  if (!platform.elasticsearchHost) {
    // Elasticsearch in Docker refuses to start below this (https://www.elastic.co/guide/en/elasticsearch/reference/7.17/vm-max-map-count.html).
    writeFiles.push({ path: "/etc/sysctl.d/60-elasticsearch.conf", owner: "root:root", permissions: "0644", content: "vm.max_map_count = 262144\n" });
  }
  // Each command runs under a boot phase that the VM reports to the portal (./boot-phases.ts).
  const runcmd: string[][] = [
    // First: node_exporter listens from its package's installation on, so the firewall comes before anything else.
    ...inBootPhase("cloud-init", [["systemctl", "enable", "--now", FIREWALL_UNIT]], { isSinceBoot: true }),
    ...inBootPhase("docker", [
      ...(platform.elasticsearchHost ? [] : [["sysctl", "--system"]]),
      ["systemctl", "enable", "--now", "docker"],
      ["python3", "-m", "venv", VENV],
      [`${VENV}/bin/pip`, "install", "--quiet", ...pinnedRequirements(config.release)],
    ]),
    ...inBootPhase("images", [
      // Fills in what config.yml leaves out (Tutor's own secrets) and renders the environment from it.
      tutor("config", "save"),
      tutor("images", "pull", "all"),
      // The branding is baked into the images (Indigo's theme, the MFEs' brand package): the pulled ones carry
      // Indigo's defaults, so these two are rebuilt over them.
      [theme.script],
      tutor("images", "build", "openedx", "mfe"),
    ]),
    // What `tutor local launch` does, in its order (start, then the init jobs), split so each part is a phase.
    ...inBootPhase("launch", [tutor("local", "start", "--detach")]),
    ...inBootPhase("migrations", [
      tutor("local", "do", "init"),
      // The owner's superuser and set-password email, once per instance (the code does nothing when the account exists).
      ...(config.ownerEmail ? [tutor(...ownerAccountCommand(config.ownerEmail, config.hostnames.lms))] : []),
      // The search index is not kept with the VM: a new VM rebuilds it from the courses in MongoDB (--setup: without
      // asking, and only when the index is empty, so a shared cluster's index is left as it is).
      tutor(...SEARCH_REINDEX),
    ]),
    ...inBootPhase("health", [HEALTH_WAIT]),
  ];
  const cloudConfig = {
    hostname: `lyceum-${spec.deploymentId.slice(0, 8)}`,
    package_update: true,
    packages: ["docker.io", "docker-compose-v2", "python3-venv", TRACKING_LOG_SHIPPER_PACKAGE, "nftables", "prometheus-node-exporter"],
    write_files: writeFiles,
    runcmd,
    final_message: `Lyceum deployment ${spec.deploymentId}: Open edX launched after $UPTIME seconds`,
  };
  // The first line is how cloud-init recognises the format.
  const userData = `#cloud-config\n${toYaml(cloudConfig)}`;
  if (Buffer.byteLength(userData) > MAX_USER_DATA_BYTES) {
    throw new Error(`the user-data for deployment ${spec.deploymentId} is ${Buffer.byteLength(userData)} bytes; OpenStack accepts at most ${MAX_USER_DATA_BYTES}`);
  }
  return userData;
}

/**
 * config.yml is read by PyYAML, a YAML 1.1 parser: a plain scalar such as yes, on, 1:20 or = would come back as a
 * boolean, a number or an error. Every string is double-quoted, so each comes back as the string it was.
 */
function tutorConfigYaml(config: Record<string, unknown>): string {
  return stringify(config, { lineWidth: 0, defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
}

/** Long lines stay whole (no folded scalars): the files read as written, and the patches stay Python. */
function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
