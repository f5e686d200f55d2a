// The load balancer's default certificate (served when no other matches), self-signed: browsers' exceptions
// for it keep working because it is made once and reused.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeSelfSignedCertificate } from "@/server/infra/certificate-issuers/self-signed";

export type PemPair = { chainPem: string; keyPem: string };

/** Long-lived, unlike an issued one: nothing renews it, and it only stands in for names no certificate covers. */
const DEFAULT_VALID_FOR_DAYS = 825;

/** A fresh self-signed certificate for these names (the first is the subject's common name), as HAProxy reads it. */
export async function selfSignedPemPair(hostnames: string[], validForDays = DEFAULT_VALID_FOR_DAYS): Promise<PemPair> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + validForDays * 86_400_000);
  const { chainPem, privateKeyPem } = await makeSelfSignedCertificate(hostnames, { notBefore, notAfter });
  return { chainPem, keyPem: privateKeyPem };
}

/** The default certificate kept in `dir` (made once, then reused). */
export async function ensureDefaultCertificate(dir: string, commonName = "lyceum.invalid"): Promise<PemPair> {
  const file = path.join(dir, "default-certificate.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as PemPair;
  const pair = await selfSignedPemPair([commonName]);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Written aside and renamed: a web process and a worker starting together never read half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(pair), { mode: 0o600 });
  await rename(temporary, file);
  return pair;
}
