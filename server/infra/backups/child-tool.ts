// A dump or load tool as a child process: its output (or input) as a stream, its exit as a promise that rejects
// with the start of its stderr. Shared by the MariaDB and MongoDB tools.
import { spawn } from "node:child_process";

export function runTool(what: string, bin: string, args: string[], env: NodeJS.ProcessEnv, stdio: "read" | "write", signal?: AbortSignal) {
  const child = spawn(bin, args, { env, stdio: stdio === "read" ? ["ignore", "pipe", "pipe"] : ["pipe", "ignore", "pipe"], signal });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 2000) stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", (error) => reject(new Error(`${what}: ${bin} did not run (${error.message})`)));
    child.on("close", (code, killed) => {
      if (code === 0) resolve();
      else reject(new Error(`${what}: ${bin} exited ${code ?? killed}${stderr.trim() ? `: ${stderr.trim().slice(0, 500)}` : ""}`));
    });
  });
  // Whoever awaits the stream learns of the failure through `exited`; an unawaited rejection would crash the worker.
  exited.catch(() => {});
  return { child, exited };
}

