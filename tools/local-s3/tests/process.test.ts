// The local S3 server as `npm run dev` runs it: a child process configured by arguments and the S3_* variables,
// which says where it listens, serves the SDK, and stops on SIGTERM or when its parent goes away.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { createS3Client } from "@/server/infra/object-storage/client";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-s3-process-"));
const credentials = { accessKeyId: `LPRC${randomBytes(8).toString("hex").toUpperCase()}`, secretAccessKey: randomBytes(30).toString("base64") };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startServerProcess(extraArgs: string[] = []) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "tools/local-s3/main.ts", "--data-dir", dataDir, "--port", "0", ...extraArgs],
    { env: { ...process.env, S3_ACCESS_KEY_ID: credentials.accessKeyId, S3_SECRET_ACCESS_KEY: credentials.secretAccessKey, S3_REGION: "us-east-1" }, stdio: ["pipe", "pipe", "inherit"] },
  );
  const endpoint = new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`exited (${code}) before listening: ${output}`)));
  });
  return { child, endpoint };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));

describe("the local S3 server process", () => {
  it("serves the SDK and stops cleanly on SIGTERM, keeping its data for the next start", async () => {
    const first = startServerProcess();
    const client = createS3Client({ endpoint: await first.endpoint, region: "us-east-1", forcePathStyle: true, credentials });
    await client.send(new CreateBucketCommand({ Bucket: "process-test-bucket" }));
    client.destroy();
    first.child.kill("SIGTERM");
    expect(await exited(first.child)).toBe(0);

    const second = startServerProcess(["--exit-with-stdin"]);
    const again = createS3Client({ endpoint: await second.endpoint, region: "us-east-1", forcePathStyle: true, credentials });
    expect((await again.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(["process-test-bucket"]);
    again.destroy();
    // The parent going away closes the child's stdin: with --exit-with-stdin it stops by itself.
    second.child.stdin!.end();
    expect(await exited(second.child)).toBe(0);
  });

  it("refuses to start without its root key pair", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "tools/local-s3/main.ts", "--data-dir", dataDir], {
      env: { ...process.env, S3_ACCESS_KEY_ID: "", S3_SECRET_ACCESS_KEY: "" },
      stdio: "ignore",
    });
    expect(await exited(child)).toBe(2);
  });
});
