// Secrets at rest: AES-256-GCM with the key from LYCEUM_ENCRYPTION_KEY; "v1:<iv>:<tag>:<ciphertext>" in base64url.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/server/env";
import { rememberSecrets } from "@/server/observability/redact";

function key(): Buffer {
  return Buffer.from(env().LYCEUM_ENCRYPTION_KEY, "base64");
}

// Every secret sealed or opened here is remembered, so this process scrubs it from its logs (DESIGN.md:
// secrets are never logged), even when an error message quotes it.
export function encryptSecret(plaintext: string): string {
  rememberSecrets(plaintext);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(":");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(":");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("Not a sealed secret");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  rememberSecrets(plaintext);
  return plaintext;
}

export function encryptJson(value: Record<string, unknown>): string {
  rememberSecrets(value);
  return encryptSecret(JSON.stringify(value));
}

export function decryptJson<T = Record<string, unknown>>(sealed: string): T {
  const value = JSON.parse(decryptSecret(sealed)) as T;
  rememberSecrets(value);
  return value;
}
