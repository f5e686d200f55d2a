// Runs the local S3 server as a process (what `npm run dev` and the e2e server start):
//   node --import tsx tools/local-s3/main.ts --data-dir .lyceum/s3 [--host 127.0.0.1]
//        [--port 0] [--exit-with-stdin]
// The root key pair and region come from the environment, under the names the portal itself reads:
// S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_REGION (default us-east-1). Once listening it prints
// "Local S3 server listening on http://host:port"; SIGTERM/SIGINT stop it. With --exit-with-stdin it also
// stops when its stdin closes, i.e. when the parent that holds the other end dies, however it died.
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startLocalS3Server } from ".";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "exit-with-stdin": { type: "boolean", default: false },
  },
});

const environment = z
  .object({
    S3_ACCESS_KEY_ID: z.string({ error: "is required: the server's root access key id" }).min(1),
    S3_SECRET_ACCESS_KEY: z.string({ error: "is required: the server's root secret" }).min(1),
    S3_REGION: z.string().min(1).default("us-east-1"),
  })
  .safeParse(process.env);

if (!values["data-dir"] || !environment.success) {
  const problems = environment.success ? [] : environment.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  console.error(["Usage: main.ts --data-dir <folder> [--host 127.0.0.1] [--port 0] [--exit-with-stdin]", ...(values["data-dir"] ? [] : ["  --data-dir is required"]), ...problems].join("\n"));
  process.exit(2);
}

async function main(dataDir: string, settings: { S3_ACCESS_KEY_ID: string; S3_SECRET_ACCESS_KEY: string; S3_REGION: string }) {
  const server = await startLocalS3Server({
    dataDir,
    host: values.host,
    port: Number(values.port),
    region: settings.S3_REGION,
    rootCredentials: { accessKeyId: settings.S3_ACCESS_KEY_ID, secretAccessKey: settings.S3_SECRET_ACCESS_KEY },
  });
  console.log(`Local S3 server listening on ${server.endpoint} (data in ${dataDir})`);

  let isStopping = false;
  const stop = async () => {
    if (isStopping) return;
    isStopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  if (values["exit-with-stdin"]) {
    process.stdin.on("end", () => void stop());
    process.stdin.on("error", () => void stop());
    process.stdin.resume();
  }
}

main(path.resolve(values["data-dir"]), environment.data).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
