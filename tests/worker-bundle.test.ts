// The production worker is one bundle run by plain `node` (scripts/lib/worker-bundle.ts): at start it loads
// neither the pipelines nor a driver library, and a task's code and its drivers come in with its first job.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorkerBundle, loadedAtStart } from "@/scripts/lib/worker-bundle";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startSmtpCatcher } from "./helpers/smtp-catcher";
import { exited } from "./helpers/worker-processes";

await isolatedDatabase();
const { db, closeDb } = await import("@/db");
const { enqueueJob } = await import("@/server/queue/enqueue");

// Inside the repository, so the bundle resolves anything it leaves to node_modules as dist/worker/ does.
mkdirSync("dist", { recursive: true });
const outdir = mkdtempSync(path.join(process.cwd(), "dist", "test-worker-"));
let metafile: Metafile;

beforeAll(async () => {
  metafile = await buildWorkerBundle(outdir);
}, 120_000);

afterAll(async () => {
  rmSync(outdir, { recursive: true, force: true });
  await closeDb();
});

/** The bundled packages and source folders loaded at start. */
function loadedAtStartMatching(pattern: RegExp) {
  return loadedAtStart(metafile).inputs.filter((input) => pattern.test(input));
}

describe("the worker bundle", () => {
  it("loads no infrastructure driver's library, and no pipeline, at start", () => {
    const drivers = /node_modules\/(@aws-sdk|mysql2|nodemailer|mongodb|stripe|acme-client|ovh|@peculiar\/x509|markdown-it|yaml)\//;
    expect(loadedAtStartMatching(drivers)).toEqual([]);
    expect(loadedAtStartMatching(/(^|\/)jobs\/(pipelines|steps)\//)).toEqual([]);
    // What it does load: graphile-worker and the worker's own start-up.
    expect(loadedAtStartMatching(/node_modules\/graphile-worker\//).length).toBeGreaterThan(0);
    expect(loadedAtStartMatching(/(^|\/)jobs\/start-worker\.ts$/)).toHaveLength(1);
  });

  it("gives a CommonJS driver library's exports by name to the dynamic import that loads it, as Node does", async () => {
    const chunkOf = (packagePath: string) => {
      const found = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint?.endsWith(packagePath));
      if (!found) throw new Error(`no chunk of its own for ${packagePath}`);
      return import(pathToFileURL(path.resolve(found[0])).href) as Promise<Record<string, unknown>>;
    };
    const s3 = await chunkOf("@aws-sdk/client-s3/dist-cjs/index.js");
    expect([typeof s3.HeadBucketCommand, typeof s3.S3ServiceException]).toEqual(["function", "function"]);
    const iam = await chunkOf("@aws-sdk/client-iam/dist-cjs/index.js");
    expect(typeof iam.NoSuchEntityException).toBe("function");
    expect(typeof (await chunkOf("mongodb/lib/index.js")).MongoClient).toBe("function");
    expect(typeof (await chunkOf("@peculiar/x509/build/x509.cjs.js")).X509CertificateGenerator).toBe("function");
    expect(typeof (await chunkOf("acme-client/src/index.js")).Client).toBe("function");
    expect(typeof (await chunkOf("mysql2/promise.js")).default).toBe("object");
  });

  it("runs under plain node, loads a task and its driver with the first job, and stops cleanly on SIGTERM", async () => {
    const mail = await startSmtpCatcher();
    const child = spawn(process.execPath, [path.join(outdir, "worker.mjs")], {
      env: { ...process.env, LYCEUM_SMTP_URL: mail.url, LYCEUM_LOG_LEVEL: "info", WORKER_CONCURRENCY: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const started = new Promise<void>((resolve) => {
      for (const stream of [child.stdout!, child.stderr!]) {
        stream.on("data", (chunk: Buffer) => {
          output.push(chunk.toString());
          if (output.join("").includes("worker started")) resolve();
        });
      }
    });
    try {
      await Promise.race([started, exited(child).then(() => Promise.reject(new Error(`the worker exited:\n${output.join("")}`)))]);
      await enqueueJob(db, "send_email", { to: "learner@school.example", subject: "Bundled hello", text: "From the bundle.", purpose: "bundle test" });
      const received = await mail.waitFor("learner@school.example", /Bundled hello/);
      expect(received.text.trim()).toBe("From the bundle.");
      child.kill("SIGTERM");
      await exited(child);
      expect(child.exitCode, output.join("")).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await mail.close();
    }
  });
});
