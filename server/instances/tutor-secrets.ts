// Tutor's own secrets for an instance (Django's SECRET_KEY, the JWT signing key, Studio's OAuth2 client secret, the
// platform id): the ones `tutor config save` would generate afresh on every new VM, logging every user out and
// invalidating every token at each redeploy. Lyceum generates them once, keeps them sealed in the ledger, and writes
// the same ones into every deployment's config.yml.
// They are kept under the ledger kind "tutor.secrets" (./ledger-kinds.ts), one entry per instance.
import { generateKeyPairSync, randomInt } from "node:crypto";
import type { LedgerSecrets } from "./ledger-kinds";

/**
 * The keys Tutor 17's config/base.yml generates that Lyceum does not already set (the MySQL passwords are the
 * instance's own accounts), by the same recipe: 24 letters and digits, or a 2048-bit RSA key in PKCS#1 PEM.
 */
type TutorSecrets = LedgerSecrets<"tutor.secrets">;

export const TUTOR_SECRET_KEYS = ["OPENEDX_SECRET_KEY", "JWT_RSA_PRIVATE_KEY", "CMS_OAUTH2_SECRET", "ID"] as const satisfies readonly (keyof TutorSecrets)[];

const LETTERS_AND_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomLettersAndDigits(length: number): string {
  return Array.from({ length }, () => LETTERS_AND_DIGITS[randomInt(LETTERS_AND_DIGITS.length)]).join("");
}

export function newTutorSecrets(): TutorSecrets {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return {
    OPENEDX_SECRET_KEY: randomLettersAndDigits(24),
    // Tutor's PEM has no trailing newline (pycryptodome's export_key).
    JWT_RSA_PRIVATE_KEY: privateKey.trimEnd(),
    CMS_OAUTH2_SECRET: randomLettersAndDigits(24),
    ID: randomLettersAndDigits(24),
  };
}
