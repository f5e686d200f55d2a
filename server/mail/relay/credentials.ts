// An instance's own credential for the instance mail relay: the user name is its resource name, the password a
// random token minted once and kept sealed in the ledger (a redeploy hands the same one to the new VM). The relay
// unseals it to compare; nothing about it (not even a hash) is in the entry's details, which owners can read.
import { createHash, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceResources } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson } from "@/server/crypto/secrets";
import { parseLedgerSecrets } from "@/server/instances/ledger-kinds";

// The ledger kind "mail.relay_credential": its external id is the relay user name; removing the entry revokes it.
const KIND = "mail.relay_credential";

/** The instance a user name and password belong to, or null: unknown, revoked (deleted entry) or wrong password. */
export async function authenticateRelayUser(q: Queryable, username: string, password: string): Promise<{ instanceId: string } | null> {
  const [entry] = await q
    .select({ instanceId: instanceResources.instanceId, secrets: instanceResources.secrets })
    .from(instanceResources)
    .where(and(eq(instanceResources.kind, KIND), eq(instanceResources.externalId, username), isNull(instanceResources.deletedAt)))
    .limit(1);
  const sealed = entry?.secrets ? decryptJson<unknown>(entry.secrets, sealedCells.resourceSecrets({ instanceId: entry.instanceId, kind: KIND, externalId: username })) : null;
  const expected = sealed ? parseLedgerSecrets(KIND, sealed, `relay user ${username}`).password : "";
  // Digests have one length, so the comparison takes the same time whatever was sent.
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  const isMatch = timingSafeEqual(digest(expected), digest(password));
  return entry && expected && isMatch ? { instanceId: entry.instanceId } : null;
}
