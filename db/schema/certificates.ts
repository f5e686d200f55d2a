// TLS certificates the load balancer serves: the hosting domain's wildcard (no instance), each instance's own
// (ACME or self-signed), and certificates clients upload for their custom domains.
import { index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { instances } from "./instances";

export const certificateSource = pgEnum("certificate_source", ["acme", "self_signed", "client"]);
/** `failed`: the last issuance failed (last_error says why); any chain it still holds is from before. */
export const certificateStatus = pgEnum("certificate_status", ["pending", "active", "failed"]);
export const certificateChallenge = pgEnum("certificate_challenge", ["dns-01", "http-01"]);

/** What an ACME server answered when an issuance failed: its problem document (RFC 8555 §6.7), or our own words. */
export type CertificateProblem = {
  type?: string;
  detail: string;
  status?: number;
  identifier?: string;
  subproblems?: unknown[];
};

export const certificates = pgTable(
  "certificates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null for the hosting domain's wildcard, which every instance shares. */
    instanceId: uuid("instance_id").references(() => instances.id, { onDelete: "cascade" }),
    /** The names the certificate covers, in the order requested (wildcards included, e.g. `*.lyceum.example`). */
    hostnames: text("hostnames").array().notNull(),
    source: certificateSource("source").notNull(),
    /** How an ACME certificate is validated (and renewed); null for self-signed and client certificates. */
    challenge: certificateChallenge("challenge"),
    status: certificateStatus("status").notNull().default("pending"),
    /** Leaf first, then the intermediates, PEM. */
    chainPem: text("chain_pem"),
    /** The private key (PEM), sealed with encryptJson; never sent to a browser. */
    privateKeySealed: text("private_key_sealed"),
    notBefore: timestamp("not_before", { withTimezone: true }),
    notAfter: timestamp("not_after", { withTimezone: true }),
    lastError: jsonb("last_error").$type<CertificateProblem>(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("certificates_instance_idx").on(t.instanceId), index("certificates_not_after_idx").on(t.notAfter)],
);

export type Certificate = typeof certificates.$inferSelect;
export type CertificateSource = (typeof certificateSource.enumValues)[number];
export type CertificateChallenge = (typeof certificateChallenge.enumValues)[number];

/** The ACME account per directory URL: its key is generated once and kept sealed. */
export const acmeAccounts = pgTable("acme_accounts", {
  directoryUrl: text("directory_url").primaryKey(),
  accountKeySealed: text("account_key_sealed").notNull(),
  accountUrl: text("account_url"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** HTTP-01 key authorizations being validated: `/.well-known/acme-challenge/<token>` answers with them. */
export const acmeHttpChallenges = pgTable("acme_http_challenges", {
  token: text("token").primaryKey(),
  keyAuthorization: text("key_authorization").notNull(),
  hostname: text("hostname").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
