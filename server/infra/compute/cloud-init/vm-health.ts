// An OVH VM's health and metrics: the heartbeat the platform's health check reads (LMS, Studio and both Celery
// workers, not just the LMS process), node_exporter (Ubuntu's prometheus-node-exporter) for the machine and
// cAdvisor for its containers, on ports a firewall opens to the monitoring network only.
//
// Read against tutor v17.0.6: its docker-compose.yml names the services lms, cms, lms-worker and cms-worker, starts
// the workers with `--hostname=edx.lms.core.default.%%h` and `edx.cms.core.default.%%h`, and serves Django's
// /heartbeat on lms:8000 and cms:8000 (edx-platform's heartbeat app: database and modulestore).

/** Where Prometheus reaches a VM's exporters (prometheus/prometheus.yml: the lyceum-instances job). */
export const VM_METRICS_PORTS = { node: 9100, containers: 9280 } as const;
const HEARTBEAT_PORT = 8090;
const CADVISOR_IMAGE = "gcr.io/cadvisor/cadvisor:v0.49.1";
export const HEARTBEAT_SCRIPT_PATH = "/opt/lyceum/heartbeat.py";

/**
 * The heartbeat, run with the openedx image's Python (its Celery included) as a service beside Tutor's: 200 with
 * each check "ok", else 503 naming what failed. Celery workers answer a broadcast ping over the instance's broker.
 */
export const HEARTBEAT_SOURCE = `"""Lyceum: the VM's heartbeat. GET /heartbeat checks the LMS, Studio and both Celery workers."""
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from celery import Celery

SITES = {"lms": ("http://lms:8000/heartbeat", os.environ["LYCEUM_LMS_HOST"]), "studio": ("http://cms:8000/heartbeat", os.environ["LYCEUM_CMS_HOST"])}
WORKERS = {"lms-worker": "edx.lms.core.default.", "cms-worker": "edx.cms.core.default."}
broker = Celery(broker=os.environ["LYCEUM_BROKER_URL"])


def site_check(url, host):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": host}), timeout=5) as response:
            return "ok" if response.status == 200 else "HTTP %d" % response.status
    except Exception as error:
        return str(error)[:200]


def worker_checks():
    try:
        nodes = [name.split("@")[-1] for reply in broker.control.ping(timeout=3) for name in reply]
    except Exception as error:
        return {worker: str(error)[:200] for worker in WORKERS}
    return {worker: "ok" if any(node.startswith(prefix) for node in nodes) else "no reply to ping" for worker, prefix in WORKERS.items()}


class Heartbeat(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/heartbeat":
            self.send_error(404)
            return
        checks = {name: site_check(url, host) for name, (url, host) in SITES.items()}
        checks.update(worker_checks())
        body = json.dumps(checks).encode()
        self.send_response(200 if all(value == "ok" for value in checks.values()) else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", ${HEARTBEAT_PORT}), Heartbeat).serve_forever()
`;

/** The lyceum plugin's compose services for health and metrics (local-docker-compose-services). */
export function healthComposeServices(): string[] {
  return [
    "lyceum-heartbeat:",
    "  image: {{ DOCKER_IMAGE_OPENEDX }}",
    "  command: python /lyceum/heartbeat.py",
    "  restart: unless-stopped",
    "  environment:",
    "    LYCEUM_BROKER_URL: {{ LYCEUM_CELERY_BROKER_URL|tojson }}",
    "    LYCEUM_LMS_HOST: {{ LMS_HOST|tojson }}",
    "    LYCEUM_CMS_HOST: {{ CMS_HOST|tojson }}",
    "  volumes:",
    `    - ${HEARTBEAT_SCRIPT_PATH}:/lyceum/heartbeat.py:ro`,
    "  depends_on:",
    "    - lms",
    "    - cms",
    // cAdvisor's documented docker run, as a compose service; its 8080 published on the metrics port.
    "cadvisor:",
    `  image: ${CADVISOR_IMAGE}`,
    "  restart: unless-stopped",
    "  privileged: true",
    "  devices:",
    "    - /dev/kmsg",
    "  ports:",
    `    - "${VM_METRICS_PORTS.containers}:8080"`,
    "  volumes:",
    "    - /:/rootfs:ro",
    "    - /var/run:/var/run:ro",
    "    - /sys:/sys:ro",
    "    - /var/lib/docker/:/var/lib/docker:ro",
    "    - /dev/disk/:/dev/disk:ro",
  ];
}

/** Caddy's site for the platform's health check (GET http://<VM address>/heartbeat, no site name). */
export function heartbeatCaddySite(): string {
  return [
    "# Lyceum: the platform's health check, addressed to the VM's IP.",
    ":{{ CADDY_HTTP_PORT }} {",
    "    handle /heartbeat {",
    `        reverse_proxy lyceum-heartbeat:${HEARTBEAT_PORT}`,
    "    }",
    "    respond 404",
    "}",
    "",
  ].join("\n");
}

const CIDR = /^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/**
 * nftables rules: the metrics ports answer the monitoring network only. node_exporter listens on the host (the
 * input hook); cAdvisor's port is Docker-published, so its packets are DNATed before filtering and reach the
 * forward hook: `ct original proto-dst` matches the port they were sent to. Its own table, no `flush ruleset`:
 * Docker's rules stay. Without a monitoring network the ports answer no one.
 */
export function monitoringFirewall(monitoringCidr: string | undefined): string {
  if (monitoringCidr !== undefined && !CIDR.test(monitoringCidr)) throw new Error(`the monitoring network "${monitoringCidr}" is not an IPv4 CIDR such as 10.0.0.0/16`);
  const ports = `{ ${VM_METRICS_PORTS.node}, ${VM_METRICS_PORTS.containers} }`;
  const allow = (match: string) => (monitoringCidr ? [`        ${match} ip saddr ${monitoringCidr} accept`] : []);
  return [
    "#!/usr/sbin/nft -f",
    "# Lyceum: the VM's metrics ports, for the monitoring network only.",
    "table inet lyceum_monitoring",
    "delete table inet lyceum_monitoring",
    "table inet lyceum_monitoring {",
    "    chain input {",
    "        type filter hook input priority filter - 10; policy accept;",
    ...allow(`tcp dport ${ports}`),
    `        tcp dport ${ports} drop`,
    "    }",
    "    chain forward {",
    "        type filter hook forward priority filter - 10; policy accept;",
    ...allow(`meta l4proto tcp ct original proto-dst ${ports}`),
    `        meta l4proto tcp ct original proto-dst ${ports} drop`,
    "    }",
    "}",
    "",
  ].join("\n");
}
