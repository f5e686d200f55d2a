// `npm run worker` as real, separate processes on the test file's database, for tests that kill one.
import { spawn, type ChildProcess } from "node:child_process";

export function exited(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** `entry`: another start script than `npm run worker`'s, for a test that changes what the worker runs. */
export function workerProcesses(concurrency = 2, entry = "jobs/worker.ts") {
  const workers: ChildProcess[] = [];
  return {
    /** A new worker (`env` beside the test's own); `output` collects what it prints, for a failing test's message. */
    spawn(env: Record<string, string> = {}) {
      const child = spawn(process.execPath, ["--import", "tsx", entry], {
        env: { ...process.env, WORKER_CONCURRENCY: String(concurrency), ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const output: string[] = [];
      child.stdout!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      workers.push(child);
      return { child, output };
    },
    /** Every worker still alive is asked to stop (SIGTERM), and waited for. */
    async stopAll() {
      for (const child of workers) {
        child.kill("SIGTERM");
        await exited(child);
      }
    },
  };
}
