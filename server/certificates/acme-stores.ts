// The ACME issuer's state in Postgres: the account key (sealed) and the HTTP-01 tokens being validated.
import { eq } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { acmeAccounts, acmeHttpChallenges } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson, encryptJson } from "@/server/crypto/secrets";
import type { AcmeAccountStore, HttpChallengeStore } from "@/server/infra/certificate-issuers/issuer";

export function acmeAccountStore(q: Queryable): AcmeAccountStore {
  return {
    async accountKey(directoryUrl, makeKey) {
      const cell = sealedCells.acmeAccountKey(directoryUrl);
      const existing = await q.query.acmeAccounts.findFirst({ where: eq(acmeAccounts.directoryUrl, directoryUrl) });
      if (existing) return { keyPem: decryptJson<{ keyPem: string }>(existing.accountKeySealed, cell).keyPem, accountUrl: existing.accountUrl };
      const keyPem = await makeKey();
      // Two workers racing: the first key wins, the other worker reads it back.
      await q.insert(acmeAccounts).values({ directoryUrl, accountKeySealed: encryptJson({ keyPem }, cell) }).onConflictDoNothing();
      const row = (await q.query.acmeAccounts.findFirst({ where: eq(acmeAccounts.directoryUrl, directoryUrl) }))!;
      return { keyPem: decryptJson<{ keyPem: string }>(row.accountKeySealed, cell).keyPem, accountUrl: row.accountUrl };
    },
    async saveAccountUrl(directoryUrl, accountUrl) {
      await q.update(acmeAccounts).set({ accountUrl }).where(eq(acmeAccounts.directoryUrl, directoryUrl));
    },
  };
}

export function httpChallengeStore(q: Queryable): HttpChallengeStore {
  return {
    async put({ token, keyAuthorization, hostname }) {
      await q
        .insert(acmeHttpChallenges)
        .values({ token, keyAuthorization, hostname })
        .onConflictDoUpdate({ target: acmeHttpChallenges.token, set: { keyAuthorization, hostname } });
    },
    async remove(token) {
      await q.delete(acmeHttpChallenges).where(eq(acmeHttpChallenges.token, token));
    },
  };
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * The answer to GET /.well-known/acme-challenge/<token> (RFC 8555 §8.3), or null. The load balancer sends that
 * path on every host to the portal; the route handler and the tests' validation port both call this.
 */
export async function httpChallengeResponse(token: string, q: Queryable = db): Promise<string | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await q.query.acmeHttpChallenges.findFirst({ where: eq(acmeHttpChallenges.token, token) });
  return row?.keyAuthorization ?? null;
}
