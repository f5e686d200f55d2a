// The shared services the local drivers use (MariaDB, RabbitMQ with its management API): checked at start,
// and RabbitMQ's management plugin enabled when it is off, so `npm run dev` provisions real resources.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import net from "node:net";

const run = promisify(execFile);

export async function prepareLocalServices(stackEnv: NodeJS.ProcessEnv, say: (line: string) => void) {
  const managementUrl = new URL(stackEnv.RABBITMQ_MANAGEMENT_URL ?? "http://guest:guest@127.0.0.1:15672");
  if (isLoopback(managementUrl.hostname) && !(await answers(managementUrl))) {
    say("RabbitMQ's management API is not answering: enabling the rabbitmq_management plugin…");
    try {
      await run("rabbitmq-plugins", ["enable", "rabbitmq_management"], { timeout: 60_000 });
      await waitUntil(() => answers(managementUrl), 60_000);
    } catch (error) {
      say(`Could not enable it (${(error as Error).message.split("\n")[0]}); provisioning will fail at the RabbitMQ step.`);
    }
  }
  const mysqlUrl = new URL(stackEnv.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306");
  if (!(await isListening(mysqlUrl.hostname, Number(mysqlUrl.port || 3306)))) {
    say(`Nothing listens on ${mysqlUrl.host} (MYSQL_ADMIN_URL): provisioning will fail at the MySQL step until MariaDB runs.`);
  }
}

function isLoopback(hostname: string) {
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}

async function answers(url: URL) {
  try {
    const response = await fetch(new URL("/api/overview", url.origin), {
      headers: { authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}` },
      signal: AbortSignal.timeout(3000),
    });
    return response.status < 500;
  } catch {
    return false;
  }
}

function isListening(host: string, port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s`);
}
