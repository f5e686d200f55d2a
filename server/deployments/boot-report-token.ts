// The credential a deployment's server reports its boot with: a random token minted with the deployment, sealed
// with its other secrets (deployments.secrets, bound to that row) and merged into the configuration the server
// boots with, like its passwords. The portal unseals it to compare; nothing about it is stored in the clear.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { deployments, type Deployment } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson } from "@/server/crypto/secrets";
import type { Env } from "@/server/env";

/** Where the token sits in the deployment's sealed secrets and, merged, in the configuration the server gets. */
type BootReportSecrets = { bootReport?: { token: string } };

export function newBootReportToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The URL a deployment's server posts its phases to: the portal's public address for a VM on the internet, its
 * internal one for a local process on this machine.
 */
export function bootReportUrl(config: Pick<Env, "publicUrl" | "internalUrl">, computeDriver: string, deploymentId: string): string {
  const base = computeDriver === "local" ? config.internalUrl : config.publicUrl;
  return `${base}/api/deployments/${deploymentId}/boot-phases`;
}

/** The token sealed in `sealedSecrets` (a deployment's secrets column), if it has one. */
export function bootReportTokenOf(deployment: Pick<Deployment, "id" | "instanceId">, sealedSecrets: string | null): string | null {
  if (!sealedSecrets) return null;
  return decryptJson<BootReportSecrets>(sealedSecrets, sealedCells.deploymentSecrets(deployment)).bootReport?.token ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The deployment `token` was minted for, or null: an unknown deployment, a terminated one (its server is retired
 * and has nothing left to report), one without a token, or a token that is not this deployment's — another
 * deployment's token included, since each is sealed to its own row.
 */
export async function authenticateBootReport(q: Queryable, deploymentId: string, token: string): Promise<Deployment | null> {
  if (!UUID.test(deploymentId)) return null;
  const deployment = await q.query.deployments.findFirst({ where: eq(deployments.id, deploymentId) });
  if (!deployment || deployment.status === "terminated" || deployment.terminatedAt) return null;
  const expected = bootReportTokenOf(deployment, deployment.secrets) ?? "";
  // Digests have one length, so the comparison takes the same time whatever was sent.
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  const isMatch = timingSafeEqual(digest(expected), digest(token));
  return expected && isMatch ? deployment : null;
}
