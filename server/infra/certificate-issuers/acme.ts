// Certificates from an ACME CA (Let's Encrypt; Pebble in tests) through acme-client. The order is driven step by
// step rather than with acme-client's auto(): auto() keeps only the problem's `detail`, and the instance page
// shows the whole problem document; auto() also checks DNS-01 records through the public DNS first, which a
// private test resolver (pebble-challtestsrv) cannot satisfy.
import https from "node:https";
import tls from "node:tls";
// acme-client is loaded on first issuance: ~12 MB that a portal without an ACME directory (development, self-
// signed) never needs.
import type * as Acme from "acme-client";
import type { CertificateProblem } from "@/db/schema";
import { DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import type { DnsDriver } from "../dns/driver";
import {
  CertificateIssuanceError,
  REVOCATION_REASONS,
  type AcmeAccountStore,
  type CertificateIssuer,
  type HttpChallengeStore,
} from "./issuer";

/**
 * acme-client turns an error response into an Error carrying only the problem's detail, not its type
 * (urn:ietf:params:acme:error:alreadyRevoked), so the detail is matched: Pebble says "Certificate has already
 * been revoked.", Boulder "certificate already revoked".
 */
const ALREADY_REVOKED = /already\b.*\brevoked/i;

type AcmeIssuerOptions = {
  directoryUrl: string;
  email: string;
  dns: DnsDriver;
  httpChallenges: HttpChallengeStore;
  accounts: AcmeAccountStore;
  /** Extra CA certificates (PEM) trusted for the directory, e.g. Pebble's listener. */
  caPem?: string;
  /** acme-client polls with back-off between these bounds (its defaults: 5 s to 30 s). */
  pollMs?: { min: number; max: number };
  /**
   * Each request to the CA that has not answered in this long fails. acme-client takes no abort signal: the
   * issuance checks the step's signal between its requests instead.
   */
  callTimeoutMs?: number;
};

type Pending = { authz: Acme.Authorization; challenge: { url: string; type: string; token: string }; keyAuthorization: string };

export function createAcmeIssuer(options: AcmeIssuerOptions): CertificateIssuer {
  const loadAcme = async () => {
    const acme = await import("acme-client");
    acme.axios.defaults.timeout = options.callTimeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;
    if (options.caPem) {
      // acme-client's own axios instance only: TLS verification stays on, and no other client in the process
      // trusts this CA.
      acme.axios.defaults.httpsAgent = new https.Agent({ ca: [...tls.rootCertificates, options.caPem] });
    }
    return acme;
  };
  let client: Promise<Acme.Client> | undefined;

  async function accountClient() {
    const acme = await loadAcme();
    const { keyPem, accountUrl } = await options.accounts.accountKey(options.directoryUrl, async () =>
      (await acme.crypto.createPrivateEcdsaKey()).toString(),
    );
    const created = new acme.Client({
      directoryUrl: options.directoryUrl,
      accountKey: keyPem,
      accountUrl: accountUrl ?? undefined,
      backoffMin: options.pollMs?.min,
      backoffMax: options.pollMs?.max,
    });
    if (!accountUrl) {
      await created.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${options.email}`] });
      await options.accounts.saveAccountUrl(options.directoryUrl, created.getAccountUrl());
    }
    return created;
  }

  async function problemOf(acmeClient: Acme.Client, order: Acme.Order, pending: Pending, cause: unknown): Promise<CertificateProblem> {
    // The challenge object carries the CA's problem document once validation failed.
    const identifier = `${pending.authz.wildcard ? "*." : ""}${pending.authz.identifier.value}`;
    try {
      const fresh = await acmeClient.getAuthorizations(order);
      for (const authz of fresh) {
        for (const challenge of authz.challenges) {
          if (challenge.url === pending.challenge.url && challenge.error) {
            return { ...(challenge.error as Omit<CertificateProblem, "identifier">), identifier };
          }
        }
      }
    } catch {}
    return { detail: (cause as Error).message, identifier };
  }

  function account() {
    client ??= accountClient().catch((error: unknown) => {
      client = undefined;
      throw new Error(`ACME account at ${options.directoryUrl}: ${(error as Error).message}`);
    });
    return client;
  }

  return {
    name: "acme",
    async revoke(chainPem, reason) {
      const acmeClient = await account();
      try {
        // acme-client sends the chain's first certificate, the leaf, signed with the account key that ordered it.
        await acmeClient.revokeCertificate(chainPem, { reason: REVOCATION_REASONS[reason] });
        return "revoked";
      } catch (error) {
        if (ALREADY_REVOKED.test((error as Error).message)) return "already_revoked";
        throw new Error(`revoke certificate at ${options.directoryUrl}: ${(error as Error).message}`, { cause: error });
      }
    },

    async issue({ hostnames, challenge: challengeType }, signal) {
      const acmeClient = await account();
      const acme = await loadAcme();
      const [privateKey, csr] = await acme.crypto.createCsr({ altNames: hostnames }, await acme.crypto.createPrivateEcdsaKey());
      const order = await acmeClient.createOrder({ identifiers: hostnames.map((value) => ({ type: "dns", value })) });
      const authorizations = await acmeClient.getAuthorizations(order);

      const pending: Pending[] = [];
      for (const authz of authorizations) {
        if (authz.status === "valid") continue;
        const challenge = authz.challenges.find((c) => c.type === challengeType);
        if (!challenge) {
          throw new CertificateIssuanceError({
            detail: `the CA offers no ${challengeType} challenge for this name (offered: ${authz.challenges.map((c) => c.type).join(", ")})`,
            identifier: `${authz.wildcard ? "*." : ""}${authz.identifier.value}`,
          });
        }
        pending.push({ authz, challenge, keyAuthorization: await acmeClient.getChallengeKeyAuthorization(challenge) });
      }

      // A name and its wildcard share one TXT record name (_acme-challenge.<name>): publish all values at once.
      const txtValues = new Map<string, string[]>();
      const published: (() => Promise<unknown>)[] = [];
      try {
        for (const p of pending) {
          if (challengeType === "dns-01") {
            const name = `_acme-challenge.${p.authz.identifier.value}`;
            txtValues.set(name, [...(txtValues.get(name) ?? []), p.keyAuthorization]);
          } else {
            await options.httpChallenges.put({ token: p.challenge.token, keyAuthorization: p.keyAuthorization, hostname: p.authz.identifier.value });
            published.push(() => options.httpChallenges.remove(p.challenge.token));
          }
        }
        for (const [name, values] of txtValues) {
          // 300 s: the lowest TTL Gandi LiveDNS accepts.
          await options.dns.ensureRecordSet({ name, type: "TXT", values, ttl: 300 }, signal);
          published.push(() => options.dns.removeRecordSet(name, "TXT"));
        }
        signal?.throwIfAborted();
        for (const p of pending) await acmeClient.completeChallenge(p.challenge as Parameters<Acme.Client["completeChallenge"]>[0]);
        for (const p of pending) {
          signal?.throwIfAborted();
          try {
            await acmeClient.waitForValidStatus(p.challenge);
          } catch (error) {
            throw new CertificateIssuanceError(await problemOf(acmeClient, order, p, error));
          }
        }
      } finally {
        // The proof is needed only while the CA validates; leave no TXT record or token behind.
        for (const remove of published) await remove().catch(() => {});
      }

      signal?.throwIfAborted();
      const finalized = await acmeClient.finalizeOrder(order, csr);
      const chainPem = await acmeClient.getCertificate(finalized);
      return { chainPem, privateKeyPem: privateKey.toString() };
    },
  };
}
