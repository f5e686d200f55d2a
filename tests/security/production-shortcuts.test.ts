// Development shortcuts reaching production: the real web start-up (instrumentation-node.ts, what `next start`
// runs first) and the real worker (`npm run worker`) are spawned with NODE_ENV=production and one shortcut
// each. Start-up must fail naming the LYCEUM_UNSAFE_* variable; with the variable set it starts and shouts.
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

const databaseUrl = await isolatedDatabase();

/** A production configuration with real Stripe settings and no shortcut (the test's own settings removed). */
const PRODUCTION: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DATABASE_URL: databaseUrl,
  STRIPE_SECRET_KEY: "sk_test_production_shortcuts",
  STRIPE_WEBHOOK_SECRET: "whsec_production_shortcuts",
  STRIPE_PRICE_STARTER: "price_starter",
  STRIPE_PRICE_GROWTH: "price_growth",
  STRIPE_PRICE_SCALE: "price_scale",
  LYCEUM_ENABLE_FAULT_INJECTION: "0",
  LYCEUM_ALLOW_PRIVATE_SMTP: "0",
  LYCEUM_STAFF_WITHOUT_TWO_FACTOR: "0",
  LYCEUM_UNSAFE_LOCAL_BILLING: "",
  LYCEUM_UNSAFE_FAULT_INJECTION: "",
  LYCEUM_UNSAFE_PRIVATE_SMTP: "",
  LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR: "",
  LYCEUM_WORKER_METRICS_PORT: "0",
  LYCEUM_LOG_LEVEL: "info",
};

const SHORTCUTS = [
  ["local billing (no STRIPE_SECRET_KEY)", { STRIPE_SECRET_KEY: "" }, "LYCEUM_UNSAFE_LOCAL_BILLING"],
  ["fault injection", { LYCEUM_ENABLE_FAULT_INJECTION: "1" }, "LYCEUM_UNSAFE_FAULT_INJECTION"],
  ["private SMTP", { LYCEUM_ALLOW_PRIVATE_SMTP: "1" }, "LYCEUM_UNSAFE_PRIVATE_SMTP"],
  ["staff without two-factor", { LYCEUM_STAFF_WITHOUT_TWO_FACTOR: "1" }, "LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR"],
] as const;

type Run = { code: number | null; output: string };
const running = new Set<ReturnType<typeof spawn>>();

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

/** Runs `file` with tsx (as the stack runs the worker); stops it once `until` appears in its output. */
function start(file: string, env: NodeJS.ProcessEnv, until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} neither exited nor printed ${until} within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) child.kill("SIGTERM");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, output });
    });
  });
}

describe("development shortcuts in production", () => {
  it.each(SHORTCUTS)("the web process refuses to start with %s, naming the variable that would allow it", async (_what, shortcut, variable) => {
    const run = await start("instrumentation-node.ts", { ...PRODUCTION, ...shortcut });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`${variable}: must be 1 to run with`);
  });

  it.each(SHORTCUTS)("the worker refuses to start with %s, naming the variable that would allow it", async (_what, shortcut, variable) => {
    const run = await start("jobs/worker.ts", { ...PRODUCTION, ...shortcut });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`${variable}: must be 1 to run with`);
    expect(run.output).not.toContain("worker started");
  });

  const allShortcuts = Object.assign({}, ...SHORTCUTS.map(([, shortcut]) => shortcut)) as NodeJS.ProcessEnv;
  const allAllowed = Object.fromEntries(SHORTCUTS.map(([, , variable]) => [variable, "1"]));

  it("the web process starts with every shortcut named, and its banner shouts each one", async () => {
    const run = await start("instrumentation-node.ts", { ...PRODUCTION, ...allShortcuts, ...allAllowed });
    expect(run.code).toBe(0);
    expect(run.output).toContain("UNSAFE: this web process runs in production mode with development shortcuts");
    for (const [, , variable] of SHORTCUTS) expect(run.output).toContain(`!!!   ${variable}=1:`);
    expect(run.output).toContain("web process started");
  });

  it("the worker starts with every shortcut named, and its banner shouts each one", async () => {
    const run = await start("jobs/worker.ts", { ...PRODUCTION, ...allShortcuts, ...allAllowed }, /worker started/);
    expect(run.output).toContain("UNSAFE: this worker runs in production mode with development shortcuts");
    for (const [, , variable] of SHORTCUTS) expect(run.output).toContain(`!!!   ${variable}=1:`);
    expect(run.output).toContain("worker started");
  });

  it("a production configuration without shortcuts starts with no banner", async () => {
    const run = await start("instrumentation-node.ts", PRODUCTION);
    expect(run.code).toBe(0);
    expect(run.output).not.toContain("UNSAFE");
  });
});
