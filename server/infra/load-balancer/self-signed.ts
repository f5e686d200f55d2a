// Self-signed certificates: the load balancer's default certificate (served when no other matches) in
// development, and test certificates. Made by the openssl CLI, which Node's crypto cannot replace (it has no
// X.509 issuing).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type PemPair = { chainPem: string; keyPem: string };

/** A fresh self-signed certificate for these names (the first is the subject's common name). */
export async function selfSignedCertificate(hostnames: string[], days = 825): Promise<PemPair> {
  if (!hostnames.length) throw new Error("a certificate needs at least one name");
  for (const name of hostnames) {
    if (!/^(\*\.)?[a-z0-9.-]+$/.test(name)) throw new Error(`not a hostname: ${JSON.stringify(name)}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "lyceum-cert-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    await run("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", String(days),
      "-subj", `/CN=${hostnames[0]}`,
      "-addext", `subjectAltName=${hostnames.map((name) => `DNS:${name}`).join(",")}`,
      "-keyout", keyFile, "-out", certFile,
    ], { timeout: 30_000 });
    return { chainPem: await readFile(certFile, "utf8"), keyPem: await readFile(keyFile, "utf8") };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The default certificate kept in `dir` (made once, then reused so browsers' exceptions keep working). */
export async function ensureDefaultCertificate(dir: string, commonName = "lyceum.invalid"): Promise<PemPair> {
  const file = path.join(dir, "default-certificate.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as PemPair;
  const pair = await selfSignedCertificate([commonName]);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Written aside and renamed: a web process and a worker starting together never read half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(pair), { mode: 0o600 });
  await rename(temporary, file);
  return pair;
}
