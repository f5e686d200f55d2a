// Which database cell each sealed secret lives in. The cell is the ciphertext's AES-GCM additional data, so a
// value copied into another row or column (by someone who can write the database but has no key) does not open;
// the cell's instance is whose logs are scrubbed of the secret (server/observability/redact.ts).
import type { Certificate, Deployment, InstanceResource } from "@/db/schema";

export type SealedCell = {
  /** `table.column`, as in the database. */
  column:
    | "instances.smtp_password_sealed"
    | "instance_resources.secrets"
    | "deployments.secrets"
    | "certificates.private_key_sealed"
    | "acme_accounts.account_key_sealed"
    | "backups.key_sealed"
    | "users.two_factor_secret_sealed"
    | "users.two_factor_pending_secret_sealed";
  /** The row's key: its primary key, or the unique identity it is upserted by. */
  rowKey: string;
  /** The instance the secret belongs to; null for the platform's own (e.g. the ACME account key). */
  instanceId: string | null;
};

/** The additional authenticated data a cell's ciphertext is bound to. */
export function sealedCellLabel(cell: SealedCell): string {
  return `${cell.column}:${cell.rowKey}`;
}

export const sealedCells = {
  smtpPassword: (instanceId: string): SealedCell => ({ column: "instances.smtp_password_sealed", rowKey: instanceId, instanceId }),
  // The ledger upserts by (instance, kind, external id), so that identity, not the uuid, names the row before it exists.
  resourceSecrets: (entry: Pick<InstanceResource, "instanceId" | "kind" | "externalId">): SealedCell => ({
    column: "instance_resources.secrets",
    rowKey: `${entry.instanceId}/${entry.kind}/${entry.externalId}`,
    instanceId: entry.instanceId,
  }),
  deploymentSecrets: (deployment: Pick<Deployment, "id" | "instanceId">): SealedCell => ({
    column: "deployments.secrets",
    rowKey: deployment.id,
    instanceId: deployment.instanceId,
  }),
  certificateKey: (certificate: Pick<Certificate, "id" | "instanceId">): SealedCell => ({
    column: "certificates.private_key_sealed",
    rowKey: certificate.id,
    instanceId: certificate.instanceId,
  }),
  backupKey: (backup: { id: string; instanceId: string | null }): SealedCell => ({ column: "backups.key_sealed", rowKey: backup.id, instanceId: backup.instanceId }),
  acmeAccountKey: (directoryUrl: string): SealedCell => ({ column: "acme_accounts.account_key_sealed", rowKey: directoryUrl, instanceId: null }),
  twoFactorSecret: (userId: string): SealedCell => ({ column: "users.two_factor_secret_sealed", rowKey: userId, instanceId: null }),
  twoFactorPendingSecret: (userId: string): SealedCell => ({ column: "users.two_factor_pending_secret_sealed", rowKey: userId, instanceId: null }),
};
