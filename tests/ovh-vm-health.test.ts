// An OVH VM's heartbeat and metrics as rendered: the heartbeat checks the LMS, Studio and both Celery workers
// (run here against loopback stand-ins for lms:8000, cms:8000 and the broker's ping), node_exporter and cAdvisor
// serve on ports the firewall opens to the monitoring network only, and Prometheus is told those ports.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HEARTBEAT_SOURCE, monitoringFirewall, VM_METRICS_PORTS } from "@/server/infra/compute/cloud-init/vm-health";
import { freePort } from "@/server/net/free-port";
import { deploymentMetricsTargets } from "@/server/observability/scrape-targets";
import { deployedConfig, PLATFORM, render } from "./helpers/sample-deployment";
import { eventually } from "./helpers/waiting";

type CloudConfig = { packages: string[]; write_files: { path: string; content: string }[]; runcmd: string[][] };
const cloudConfigOf = (monitoringCidr?: string) => parse(render(deployedConfig(), { ...PLATFORM, monitoringCidr })) as CloudConfig;
const fileOf = (cloudConfig: CloudConfig, suffix: string) => cloudConfig.write_files.find((file) => file.path.endsWith(suffix))!.content;

describe("an OVH VM's health and metrics", () => {
  it("installs node_exporter and runs cAdvisor and the heartbeat beside Tutor's services", () => {
    const cloudConfig = cloudConfigOf("10.20.0.0/16");
    expect(cloudConfig.packages).toEqual(expect.arrayContaining(["prometheus-node-exporter", "nftables"]));
    const plugin = parse(fileOf(cloudConfig, "/tutor-plugins/lyceum.yml")) as { patches: Record<string, string> };
    // Tutor renders the patch before docker compose reads it: each {{ expression }} stands in as a plain string here.
    const services = parse(plugin.patches["local-docker-compose-services"]!.replace(/\{\{ (.+?) \}\}/g, "=$1=")) as Record<string, Record<string, unknown>>;
    expect(services.cadvisor).toMatchObject({ image: expect.stringMatching(/^gcr\.io\/cadvisor\/cadvisor:v/), ports: [`${VM_METRICS_PORTS.containers}:8080`] });
    expect(services["lyceum-heartbeat"]).toMatchObject({ image: "=DOCKER_IMAGE_OPENEDX=", command: "python /lyceum/heartbeat.py", depends_on: ["lms", "cms"] });
    expect(services["lyceum-heartbeat"]!.environment).toEqual({ LYCEUM_BROKER_URL: "=LYCEUM_CELERY_BROKER_URL|tojson=", LYCEUM_LMS_HOST: "=LMS_HOST|tojson=", LYCEUM_CMS_HOST: "=CMS_HOST|tojson=" });
    expect(fileOf(cloudConfig, "/opt/lyceum/heartbeat.py")).toBe(HEARTBEAT_SOURCE);
  });

  it("opens the metrics ports to the monitoring network only, from the first command on and at every boot", () => {
    const cloudConfig = cloudConfigOf("10.20.0.0/16");
    const rules = fileOf(cloudConfig, "/etc/lyceum/monitoring.nft");
    expect(rules).toContain("tcp dport { 9100, 9280 } ip saddr 10.20.0.0/16 accept\n        tcp dport { 9100, 9280 } drop");
    // cAdvisor's port is published by Docker (DNAT): matched in the forward hook by the port it was sent to.
    expect(rules).toContain("meta l4proto tcp ct original proto-dst { 9100, 9280 } ip saddr 10.20.0.0/16 accept");
    expect(rules).not.toContain("flush ruleset");
    // The first command of the first boot phase (the phase reporter wraps it: ./ovh-boot-phases.test.ts).
    expect(cloudConfig.runcmd[0]!.slice(cloudConfig.runcmd[0]!.indexOf("--") + 1)).toEqual(["systemctl", "enable", "--now", "lyceum-monitoring-firewall.service"]);
    expect(fileOf(cloudConfig, "/lyceum-monitoring-firewall.service")).toContain("ExecStart=/usr/sbin/nft -f /etc/lyceum/monitoring.nft");
    // No monitoring network: nobody.
    expect(monitoringFirewall(undefined)).not.toContain("accept\n");
    expect(() => monitoringFirewall("10.0.0.0/16; drop")).toThrow(/not an IPv4 CIDR/);
  });

  it("tells Prometheus the VM's node_exporter and cAdvisor ports, and the local site's own address", () => {
    expect(deploymentMetricsTargets("ovh", "51.68.1.2:80")).toEqual([
      { target: "51.68.1.2:9100", component: "node" },
      { target: "51.68.1.2:9280", component: "containers" },
    ]);
    expect(deploymentMetricsTargets("local", "127.0.0.1:41234")).toEqual([{ target: "127.0.0.1:41234", component: "site" }]);
  });

  it("answers 200 only when the LMS, Studio and both Celery workers answer, naming what failed", async () => {
    // The script as the VM runs it, with its service names pointed at loopback stand-ins and Celery's ping
    // replaced by the replies a broadcast would collect (no broker runs here).
    const dir = mkdtempSync(path.join(os.tmpdir(), "heartbeat-"));
    const sites = { lms: 200, cms: 200 };
    const hosts: string[] = [];
    const stand = http.createServer((req, res) => {
      hosts.push(String(req.headers.host));
      res.writeHead(req.url === "/heartbeat" ? sites[req.socket.localPort === lmsPort ? "lms" : "cms"] : 404).end("{}");
    });
    const lmsPort = await freePort();
    const cmsPort = await freePort();
    const port = await freePort();
    const cmsServer = http.createServer((req, res) => stand.emit("request", req, res));
    await new Promise<void>((resolve) => stand.listen(lmsPort, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => cmsServer.listen(cmsPort, "127.0.0.1", resolve));
    writeFileSync(path.join(dir, "replies.json"), JSON.stringify([{ "celery@edx.lms.core.default.abc": { ok: "pong" } }, { "celery@edx.cms.core.default.def": { ok: "pong" } }]));
    writeFileSync(
      path.join(dir, "celery.py"),
      `import json\nclass Celery:\n    def __init__(self, broker):\n        self.control = self\n    def ping(self, timeout):\n        return json.load(open(${JSON.stringify(path.join(dir, "replies.json"))}))\n`,
    );
    const script = HEARTBEAT_SOURCE.replace("http://lms:8000", `http://127.0.0.1:${lmsPort}`).replace("http://cms:8000", `http://127.0.0.1:${cmsPort}`).replace('("0.0.0.0", 8090)', `("127.0.0.1", ${port})`);
    writeFileSync(path.join(dir, "heartbeat.py"), script);
    const child = spawn("python3", [path.join(dir, "heartbeat.py")], {
      env: { ...process.env, PYTHONPATH: dir, LYCEUM_BROKER_URL: "amqp://u:p@rabbit/v", LYCEUM_LMS_HOST: "sample.lyceum.example", LYCEUM_CMS_HOST: "studio-sample.lyceum.example" },
      stdio: "ignore",
    });
    const beat = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/heartbeat`);
      return { status: response.status, checks: await response.json() };
    };
    try {
      expect(await eventually(() => beat().catch(() => undefined), 15_000, "the heartbeat to answer")).toEqual({
        status: 200,
        checks: { lms: "ok", studio: "ok", "lms-worker": "ok", "cms-worker": "ok" },
      });
      expect(hosts).toEqual(expect.arrayContaining(["sample.lyceum.example", "studio-sample.lyceum.example"]));
      sites.cms = 500;
      writeFileSync(path.join(dir, "replies.json"), JSON.stringify([{ "celery@edx.lms.core.default.abc": { ok: "pong" } }]));
      expect(await beat()).toEqual({ status: 503, checks: { lms: "ok", studio: "HTTP Error 500: Internal Server Error", "lms-worker": "ok", "cms-worker": "no reply to ping" } });
    } finally {
      child.kill();
      stand.close();
      cmsServer.close();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: HEARTBEAT_SOURCE })).not.toThrow();
  });
});
