// A dump or load tool as a child process: its output (or input) as a stream, its exit as a promise that rejects
// with the start of its stderr. Shared by the MariaDB and MongoDB tools.
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";

/**
 * The tool's output, read from the moment it starts. When a child exits, Node resumes every stdio stream nobody
 * listens to yet, and what was buffered is thrown away: a small database's dump finished while the backup was
 * still opening its spool file, and the backup stored (and verified) an empty dump. Piped at once into a
 * PassThrough, the output waits there, with back-pressure on the tool, until the caller reads it.
 */
function outputOf(child: ReturnType<typeof spawn>): PassThrough {
  const output = new PassThrough();
  child.stdout!.on("error", (error) => output.destroy(error));
  child.stdout!.pipe(output);
  return output;
}

export function runTool(what: string, bin: string, args: string[], env: NodeJS.ProcessEnv, stdio: "read" | "write", signal?: AbortSignal) {
  const child = spawn(bin, args, { env, stdio: stdio === "read" ? ["ignore", "pipe", "pipe"] : ["pipe", "ignore", "pipe"], signal });
  const output = stdio === "read" ? outputOf(child) : null;
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
  return { child, output, exited };
}

