// An instance's own credential for the instance mail relay: the user name is its resource name, the password a
// random token minted once. The ledger keeps the token sealed (a redeploy hands the same one to the new VM) and
// its SHA-256 beside it; the relay compares hashes only and never unseals anything.
import { createHash, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceResources } from "@/db/schema";

/** The instance_resources kind; its external id is the relay user name. Removing the entry revokes the credential. */
export const MAIL_RELAY_CREDENTIAL = "mail.relay_credential";

export type MailRelayCredentialDetails = {
  host: string;
  port: number;
  tls: "starttls" | "none";
  /** Hex SHA-256 of the token: the token is 192 random bits, so a fast hash is enough (nothing to brute-force). */
  passwordSha256: string;
};

export function hashRelayPassword(password: string): string {
  return createHash("sha256").update(password, "utf8").digest("hex");
}

/** The instance a user name and password belong to, or null: unknown, revoked (deleted entry) or wrong password. */
export async function authenticateRelayUser(q: Queryable, username: string, password: string): Promise<{ instanceId: string } | null> {
  const [entry] = await q
    .select({ instanceId: instanceResources.instanceId, details: instanceResources.details })
    .from(instanceResources)
    .where(and(eq(instanceResources.kind, MAIL_RELAY_CREDENTIAL), eq(instanceResources.externalId, username), isNull(instanceResources.deletedAt)))
    .limit(1);
  const expected = Buffer.from(String((entry?.details as Partial<MailRelayCredentialDetails> | undefined)?.passwordSha256 ?? ""), "hex");
  const given = Buffer.from(hashRelayPassword(password), "hex");
  // Hashes of the same length are compared in constant time; an unknown user costs the same hash.
  if (!entry || expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { instanceId: entry.instanceId };
}
