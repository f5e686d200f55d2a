// Secrets `npm run dev` generates once and keeps in the (git-ignored) state dir, so sessions, encrypted
// data and the staff login survive restarts.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export type DevSecrets = {
  authSecret: string;
  encryptionKey: string;
  webhookSecret: string;
  staffPassword: string;
  metricsToken: string;
  /** Root key pair of the local S3 server (and so the platform's S3 credentials in dev). */
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
};

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function loadOrCreateDevSecrets(stateDir: string): DevSecrets {
  const file = path.join(stateDir, "dev-secrets.json");
  const existing: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const secrets: DevSecrets = {
    authSecret: existing.authSecret ?? randomBytes(32).toString("base64url"),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString("base64"),
    webhookSecret: existing.webhookSecret ?? `whsec_${randomBytes(24).toString("base64url")}`,
    staffPassword: existing.staffPassword ?? randomBytes(9).toString("base64url"),
    metricsToken: existing.metricsToken ?? randomBytes(24).toString("base64url"),
    // Shaped like AWS's: 20 upper-case characters and a 40-character secret.
    s3AccessKeyId: existing.s3AccessKeyId ?? `LYCD${[...randomBytes(16)].map((byte) => BASE32[byte % 32]).join("")}`,
    s3SecretAccessKey: existing.s3SecretAccessKey ?? randomBytes(30).toString("base64"),
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
