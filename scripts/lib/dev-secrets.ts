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
};

export function loadOrCreateDevSecrets(stateDir: string): DevSecrets {
  const file = path.join(stateDir, "dev-secrets.json");
  const existing: Partial<DevSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const secrets: DevSecrets = {
    authSecret: existing.authSecret ?? randomBytes(32).toString("base64url"),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString("base64"),
    webhookSecret: existing.webhookSecret ?? `whsec_${randomBytes(24).toString("base64url")}`,
    staffPassword: existing.staffPassword ?? randomBytes(9).toString("base64url"),
    metricsToken: existing.metricsToken ?? randomBytes(24).toString("base64url"),
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
