// The boot reporter the OVH user-data installs, run for real: the script from the rendered user-data (with its
// paths moved into a scratch folder, since this machine is not the VM), posting with curl to a loopback server
// that checks what the portal's route checks: the bearer token, the JSON, the phase names.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bootPhaseReportSchema, type BootPhaseReport } from "@/server/deployments/boot-phases";
import { deployedConfig, render, SAMPLE_BOOT_REPORT_TOKEN } from "./helpers/sample-deployment";

type CloudConfig = { write_files: { path: string; content: string; permissions: string }[]; runcmd: string[][] };
const cloudConfig = parse(render(deployedConfig())) as CloudConfig;
const fileAt = (filePath: string) => cloudConfig.write_files.find((file) => file.path === filePath);

const dir = mkdtempSync(path.join(os.tmpdir(), "boot-phase-"));
const received: { authorization?: string; report: BootPhaseReport }[] = [];
let server: http.Server;
let script: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ authorization: req.headers.authorization, report: bootPhaseReportSchema.parse(JSON.parse(body)) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // The VM's paths, moved here; the script itself is byte for byte the rendered one otherwise.
  const moved = (text: string) => text.replaceAll("/opt/lyceum", `${dir}/opt`).replaceAll("/var/lib/lyceum", `${dir}/state`).replaceAll("/var/log/", `${dir}/`);
  execFileSync("mkdir", ["-p", `${dir}/opt`]);
  script = `${dir}/opt/boot-phase`;
  writeFileSync(script, moved(fileAt("/opt/lyceum/boot-phase")!.content), { mode: 0o755 });
  writeFileSync(`${dir}/opt/boot-report.url`, `http://127.0.0.1:${port}/api/deployments/x/boot-phases\n`);
  writeFileSync(`${dir}/opt/boot-report.header`, fileAt("/opt/lyceum/boot-report.header")!.content, { mode: 0o600 });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Run asynchronously: the loopback server answering the script's curl lives in this process. */
const runPhase = (...args: string[]) =>
  new Promise<{ status: number }>((resolve) => execFile(script, args, (error) => resolve({ status: error ? Number(error.code ?? 1) : 0 })));

describe("the VM's boot reporter", () => {
  it("wraps every boot command in a phase, in the fixed order, the first timed from the VM's start", () => {
    const phases = cloudConfig.runcmd.map((command) => {
      expect(command[0]).toBe("/opt/lyceum/boot-phase");
      return command[1];
    });
    expect([...new Set(phases)]).toEqual(["cloud-init", "docker", "images", "launch", "migrations", "health"]);
    // The first phase is the firewall for the metrics ports (./ovh-vm-health.test.ts), timed from the VM's start.
    expect(cloudConfig.runcmd[0]).toEqual(["/opt/lyceum/boot-phase", "cloud-init", "--since-boot", "--last", "--", "systemctl", "enable", "--now", "lyceum-monitoring-firewall.service"]);
  });

  it("keeps the token in a root-only header file, never on a command line", () => {
    expect(fileAt("/opt/lyceum/boot-report.header")).toMatchObject({ permissions: "0600", content: `Authorization: Bearer ${SAMPLE_BOOT_REPORT_TOKEN}\n` });
    expect(fileAt("/opt/lyceum/boot-report.url")!.content).toMatch(/^https:\/\/portal\.lyceum\.example\/api\/deployments\/[0-9a-f-]{36}\/boot-phases\n$/);
    expect(JSON.stringify(cloudConfig.runcmd)).not.toContain(SAMPLE_BOOT_REPORT_TOKEN);
  });

  it("reports a phase started at its first command and succeeded after its last, with the deployment's token", async () => {
    expect((await runPhase("images", "--", "true")).status).toBe(0);
    expect((await runPhase("images", "--last", "--", "echo", "pulled")).status).toBe(0);
    expect(received.map(({ report }) => [report.phase, report.status])).toEqual([["images", "started"], ["images", "succeeded"]]);
    expect(received.every(({ authorization }) => authorization === `Bearer ${SAMPLE_BOOT_REPORT_TOKEN}`)).toBe(true);
    const [started, succeeded] = received.map(({ report }) => report);
    expect(succeeded!.startedAt).toBe(started!.startedAt);
    expect(Date.parse(succeeded!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(started!.startedAt));
  });

  it("reports a failure with the end of the command's output, and runs nothing after it", async () => {
    received.length = 0;
    const failed = await runPhase("migrations", "--", "sh", "-c", "seq 1 2000; echo 'django.db.utils.OperationalError: no such table' >&2; exit 3");
    expect(failed.status).toBe(3);
    expect(received).toHaveLength(2);
    const report = received[1]!.report;
    expect(report).toMatchObject({ phase: "migrations", status: "failed" });
    expect(Buffer.byteLength(report.outputTail!)).toBeLessThanOrEqual(4096);
    expect(report.outputTail!.trimEnd().split("\n").at(-1)).toBe("django.db.utils.OperationalError: no such table");
    expect(readFileSync(`${dir}/lyceum-boot-migrations.log`, "utf8")).toContain("2000\n");
    const after = await runPhase("health", "--last", "--", "touch", `${dir}/ran`);
    expect(after.status).not.toBe(0);
    expect(received).toHaveLength(2);
  });
});
