// Web processes (tests/helpers/web-process-main.ts) on the test file's database, for tests that kill one.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { exited } from "./worker-processes";
import { eventually } from "./waiting";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function webProcesses() {
  const processes: ChildProcess[] = [];
  return {
    /** A web process on `port`, resolved once /api/health answers; `output` is what it printed. */
    async spawn(port: number) {
      const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/web-process-main.ts"], {
        env: { ...process.env, WEB_PORT: String(port) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const output: string[] = [];
      child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      processes.push(child);
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`web process on ${port} exited: ${output.join("")}`);
        const response = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
        return response?.ok ? true : undefined;
      }, 120_000, `the web process on ${port} to answer /api/health`);
      return { child, output, port };
    },
    async stopAll() {
      for (const child of processes) {
        child.kill("SIGTERM");
        await exited(child);
      }
    },
  };
}
