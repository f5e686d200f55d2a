// Secrets at rest: AES-256-GCM with the key from LYCEUM_ENCRYPTION_KEY, "v2:<iv>:<tag>:<ciphertext>" in base64url,
// bound to the database cell that holds it (./sealed-cells.ts) through GCM's additional authenticated data.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/server/env";
import { rememberSecrets } from "@/server/observability/redact";
import { sealedCellLabel, type SealedCell } from "./sealed-cells";

/** GCM's full tag. Node accepts shorter tags unless told the length, and a 4-byte tag is forgeable by trial. */
const TAG_BYTES = 16;
const IV_BYTES = 12;

class SealedSecretError extends Error {}

function key(): Buffer {
  return Buffer.from(env().LYCEUM_ENCRYPTION_KEY, "base64");
}

// Every secret sealed or opened here is remembered, so this process scrubs it from the logs and events of the
// instance it belongs to (docs/architecture.md: secrets are never logged), even when an error message quotes it.
export function encryptSecret(plaintext: string, cell: SealedCell): string {
  rememberSecrets(plaintext, cell);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key(), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(sealedCellLabel(cell), "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v2", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(":");
}

/**
 * Opens a value sealed for `cell`. "v1" values (sealed before ciphertexts were bound to their cell) still open,
 * without additional data, so existing rows keep working; every write seals anew as "v2".
 */
export function decryptSecret(sealed: string, cell: SealedCell): string {
  const [version, iv, tag, ciphertext, ...rest] = sealed.split(":");
  if ((version !== "v1" && version !== "v2") || !iv || !tag || ciphertext === undefined || rest.length > 0) {
    throw new SealedSecretError(`${cell.column} holds no sealed secret`);
  }
  const tagBytes = Buffer.from(tag, "base64url");
  if (tagBytes.length !== TAG_BYTES) throw new SealedSecretError(`${cell.column}: the authentication tag is ${tagBytes.length} bytes, not ${TAG_BYTES}`);
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"), { authTagLength: TAG_BYTES });
  if (version === "v2") decipher.setAAD(Buffer.from(sealedCellLabel(cell), "utf8"));
  decipher.setAuthTag(tagBytes);
  let plaintext: string;
  try {
    plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SealedSecretError(`${cell.column} of ${cell.rowKey} does not open: it was sealed for another row, or altered`);
  }
  rememberSecrets(plaintext, cell);
  return plaintext;
}

export function encryptJson(value: Record<string, unknown>, cell: SealedCell): string {
  rememberSecrets(value, cell);
  return encryptSecret(JSON.stringify(value), cell);
}

export function decryptJson<T = Record<string, unknown>>(sealed: string, cell: SealedCell): T {
  const value = JSON.parse(decryptSecret(sealed, cell)) as T;
  rememberSecrets(value, cell);
  return value;
}
