// Each backup's own AES-256 data key, sealed in its row with the platform key: one leaked data key opens one
// backup, and the backup bucket alone (without the database and LYCEUM_ENCRYPTION_KEY) opens nothing.
import { randomBytes } from "node:crypto";
import type { Backup } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptSecret, encryptSecret } from "@/server/crypto/secrets";

export function newSealedBackupKey(backup: { id: string; instanceId: string | null }): string {
  return encryptSecret(randomBytes(32).toString("base64"), sealedCells.backupKey(backup));
}

export function openBackupKey(backup: Pick<Backup, "id" | "instanceId" | "keySealed">): Buffer {
  return Buffer.from(decryptSecret(backup.keySealed, sealedCells.backupKey(backup)), "base64");
}
