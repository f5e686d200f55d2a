// Re-seals secrets written before ciphertexts were bound to their cell ("v1") as "v2", so that a value copied
// between rows stops opening for old rows too. Safe to run at any time and more than once: each value is
// replaced only if it is still the one read.
import { and, eq, like } from "drizzle-orm";
import type { Queryable } from "@/db";
import { acmeAccounts, certificates, deployments, instanceResources, instances } from "@/db/schema";
import { sealedCells, type SealedCell } from "./sealed-cells";
import { decryptSecret, encryptSecret } from "./secrets";

const LEGACY = "v1:%";

/** The v2 value for a v1 one: opened without additional data, sealed to its cell. */
const resealed = (sealed: string, cell: SealedCell) => encryptSecret(decryptSecret(sealed, cell), cell);

/** Re-seals every v1 value in every sealed column; returns how many values each column had re-sealed. */
export async function resealLegacySecrets(q: Queryable): Promise<Record<SealedCell["column"], number>> {
  const counts: Record<SealedCell["column"], number> = {
    "instances.smtp_password_sealed": 0,
    "instance_resources.secrets": 0,
    "deployments.secrets": 0,
    "certificates.private_key_sealed": 0,
    "acme_accounts.account_key_sealed": 0,
    // Sealed as v2 from the first: backups and two-factor secrets came after cell binding.
    "backups.key_sealed": 0,
    "users.two_factor_secret_sealed": 0,
    "users.two_factor_pending_secret_sealed": 0,
  };

  for (const row of await q.select().from(instances).where(like(instances.smtpPasswordSealed, LEGACY))) {
    const value = resealed(row.smtpPasswordSealed!, sealedCells.smtpPassword(row.id));
    const changed = await q
      .update(instances)
      .set({ smtpPasswordSealed: value })
      .where(and(eq(instances.id, row.id), eq(instances.smtpPasswordSealed, row.smtpPasswordSealed!)))
      .returning({ id: instances.id });
    counts["instances.smtp_password_sealed"] += changed.length;
  }
  for (const row of await q.select().from(instanceResources).where(like(instanceResources.secrets, LEGACY))) {
    const value = resealed(row.secrets!, sealedCells.resourceSecrets(row));
    const changed = await q
      .update(instanceResources)
      .set({ secrets: value })
      .where(and(eq(instanceResources.id, row.id), eq(instanceResources.secrets, row.secrets!)))
      .returning({ id: instanceResources.id });
    counts["instance_resources.secrets"] += changed.length;
  }
  for (const row of await q.select().from(deployments).where(like(deployments.secrets, LEGACY))) {
    const value = resealed(row.secrets!, sealedCells.deploymentSecrets(row));
    const changed = await q
      .update(deployments)
      .set({ secrets: value })
      .where(and(eq(deployments.id, row.id), eq(deployments.secrets, row.secrets!)))
      .returning({ id: deployments.id });
    counts["deployments.secrets"] += changed.length;
  }
  for (const row of await q.select().from(certificates).where(like(certificates.privateKeySealed, LEGACY))) {
    const value = resealed(row.privateKeySealed!, sealedCells.certificateKey(row));
    const changed = await q
      .update(certificates)
      .set({ privateKeySealed: value })
      .where(and(eq(certificates.id, row.id), eq(certificates.privateKeySealed, row.privateKeySealed!)))
      .returning({ id: certificates.id });
    counts["certificates.private_key_sealed"] += changed.length;
  }
  for (const row of await q.select().from(acmeAccounts).where(like(acmeAccounts.accountKeySealed, LEGACY))) {
    const value = resealed(row.accountKeySealed, sealedCells.acmeAccountKey(row.directoryUrl));
    const changed = await q
      .update(acmeAccounts)
      .set({ accountKeySealed: value })
      .where(and(eq(acmeAccounts.directoryUrl, row.directoryUrl), eq(acmeAccounts.accountKeySealed, row.accountKeySealed)))
      .returning({ directoryUrl: acmeAccounts.directoryUrl });
    counts["acme_accounts.account_key_sealed"] += changed.length;
  }
  return counts;
}
