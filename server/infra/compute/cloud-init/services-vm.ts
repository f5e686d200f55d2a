// The cloud-init user-data of an instance's services VM (its plan's `servicesVmFlavor`): memcached and Elasticsearch
// for that instance alone, in the containers and with the settings Tutor 17.0.6 itself runs them with
// (tutor/templates/local/docker-compose.yml: docker.io/elasticsearch:7.17.13, single-node, memory locked; the lyceum
// plugin's memcached image). Neither holds data the instance cannot rebuild: the cache refills, and each new
// application VM re-runs the course reindex (`reindex_course --all --setup`, a no-op on an index that exists).
// Their ports answer only the network the application VMs come from (OVH_SERVICES_CLIENT_CIDR): Elasticsearch runs
// without security, as Tutor's does, so the firewall is the boundary.
import { firewallUnitFile } from "./firewall-unit";
import { stringify } from "yaml";
import type { ServicesServerSpec } from "../driver";
import { SERVICES_VM_PORTS } from "./tutor-config";

const ELASTICSEARCH_IMAGE = "docker.io/elasticsearch:7.17.13";
const MEMCACHED_IMAGE = "docker.io/memcached:1.6-alpine";
const DATA_DIR = "/var/lib/lyceum/elasticsearch";
const FIREWALL_RULES = "/etc/lyceum/services.nft";
const FIREWALL_UNIT = "lyceum-services-firewall.service";
const CIDR = /^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/**
 * Both ports are Docker-published, so their packets are DNATed before filtering and reach the forward hook (`ct
 * original proto-dst` matches the port they were sent to); the input hook covers a service bound to the host. Its
 * own table, no `flush ruleset`: Docker's rules stay.
 */
function servicesFirewall(clientCidr: string): string {
  if (!CIDR.test(clientCidr)) throw new Error(`the services VM's client network "${clientCidr}" is not an IPv4 CIDR such as 10.0.0.0/16`);
  const ports = `{ ${SERVICES_VM_PORTS.memcached}, ${SERVICES_VM_PORTS.elasticsearch} }`;
  return [
    "#!/usr/sbin/nft -f",
    "# Lyceum: memcached and Elasticsearch, for the instance's application VMs' network only.",
    "table inet lyceum_services",
    "delete table inet lyceum_services",
    "table inet lyceum_services {",
    "    chain input {",
    "        type filter hook input priority filter - 10; policy accept;",
    `        tcp dport ${ports} ip saddr ${clientCidr} accept`,
    `        tcp dport ${ports} drop`,
    "    }",
    "    chain forward {",
    "        type filter hook forward priority filter - 10; policy accept;",
    `        meta l4proto tcp ct original proto-dst ${ports} ip saddr ${clientCidr} accept`,
    `        meta l4proto tcp ct original proto-dst ${ports} drop`,
    "    }",
    "}",
    "",
  ].join("\n");
}

const FIREWALL_UNIT_FILE = firewallUnitFile({
  description: "Lyceum: memcached and Elasticsearch for the application VMs only",
  before: "docker.service",
  rulesFile: FIREWALL_RULES,
});

export function renderServicesUserData(spec: ServicesServerSpec, settings: { clientCidr: string | undefined; elasticsearchHeapSize?: string }): string {
  if (!settings.clientCidr) {
    throw new Error(`instance ${spec.instanceId}'s plan asks for a services VM, but OVH_SERVICES_CLIENT_CIDR is not set: its memcached and Elasticsearch would answer no one`);
  }
  // Tutor's ELASTICSEARCH_HEAP_SIZE default (1g); the services VM has room for it beside memcached.
  const heap = settings.elasticsearchHeapSize ?? "1g";
  const cloudConfig = {
    hostname: `lyceum-services-${spec.instanceId.slice(0, 8)}`,
    package_update: true,
    packages: ["docker.io", "nftables"],
    write_files: [
      { path: FIREWALL_RULES, owner: "root:root", permissions: "0644", content: servicesFirewall(settings.clientCidr) },
      { path: `/etc/systemd/system/${FIREWALL_UNIT}`, owner: "root:root", permissions: "0644", content: FIREWALL_UNIT_FILE },
      // Elasticsearch in Docker refuses to start below this.
      { path: "/etc/sysctl.d/60-elasticsearch.conf", owner: "root:root", permissions: "0644", content: "vm.max_map_count = 262144\n" },
    ],
    runcmd: [
      // The firewall before Docker publishes anything.
      ["systemctl", "enable", "--now", FIREWALL_UNIT],
      ["sysctl", "--system"],
      ["systemctl", "enable", "--now", "docker"],
      // Tutor runs Elasticsearch as 1000:1000 on a data folder of its own.
      ["install", "-d", "-o", "1000", "-g", "1000", DATA_DIR],
      ["docker", "run", "--detach", "--name", "memcached", "--restart", "unless-stopped", "--publish", `${SERVICES_VM_PORTS.memcached}:11211`, MEMCACHED_IMAGE],
      [
        "docker", "run", "--detach", "--name", "elasticsearch", "--restart", "unless-stopped", "--user", "1000:1000",
        "--publish", `${SERVICES_VM_PORTS.elasticsearch}:9200`,
        "--env", "cluster.name=openedx", "--env", "bootstrap.memory_lock=true", "--env", "discovery.type=single-node",
        "--env", `ES_JAVA_OPTS=-Xms${heap} -Xmx${heap}`, "--ulimit", "memlock=-1:-1",
        "--volume", `${DATA_DIR}:/usr/share/elasticsearch/data`,
        ELASTICSEARCH_IMAGE,
      ],
    ],
    final_message: `Lyceum services VM of instance ${spec.instanceId}: memcached and Elasticsearch started after $UPTIME seconds`,
  };
  return `#cloud-config\n${stringify(cloudConfig, { lineWidth: 0 })}`;
}
