// The data-service part of a deployment's configuration, rendered from the ledger: where each service is and
// which account to use. Passwords go in a separate object that is sealed at rest and merged in only when the
// configuration is handed to the application server.
import type { Deployment, Instance } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson, decryptSecret, encryptJson } from "@/server/crypto/secrets";
import type { DeploymentConfig, ServiceConfig } from "@/server/deployments/config";
import { ledgerSecretsOf, type LedgerEntry } from "./ledger";
import { isEntryOf } from "./ledger-entry";
import type { LedgerKind } from "./ledger-kinds";

type RenderedServiceConfig = {
  services: ServiceConfig;
  /** The same shape as `services`, holding only the secrets. */
  secrets: { services: Record<string, unknown> };
};

/**
 * `objectStorage`: where the bucket is reached (endpoint, null for AWS S3; path style), which the ledger does not
 * hold because it is the platform's configuration rather than the instance's.
 * `instance`: its email settings; with its own SMTP server (relay "own") the server and user go in `services.smtp`
 * and the password, unsealed from the instance row, into the secrets. On the platform's relay, `services.smtp` is
 * the instance mail relay with the instance's own credential from the ledger: the platform relay's password never
 * reaches a VM.
 */
export function renderServiceConfig(
  entries: LedgerEntry[],
  objectStorage?: { endpoint: string | null; forcePathStyle: boolean },
  instance?: Pick<Instance, "id" | "emailSettings" | "smtpPasswordSealed">,
): RenderedServiceConfig {
  const live = entries.filter((entry) => !entry.deletedAt);
  const ofKind = <K extends LedgerKind>(kind: K) => live.filter((entry): entry is LedgerEntry<K> => isEntryOf(entry, kind));
  const services: ServiceConfig = {};
  const secrets: Record<string, unknown> = {};

  const mysqlDatabases = ofKind("mysql.database");
  const mysqlUsers = ofKind("mysql.user");
  if (mysqlDatabases.length > 0) {
    services.mysql = {
      server: mysqlDatabases[0]!.details.server,
      databases: Object.fromEntries(mysqlDatabases.map((entry) => [entry.details.suffix, entry.externalId])),
      users: Object.fromEntries(
        mysqlUsers.map((entry) => [entry.details.role, { username: entry.externalId, databases: entry.details.databases }]),
      ),
    };
    secrets.mysql = {
      users: Object.fromEntries(mysqlUsers.map((entry) => [entry.details.role, { password: ledgerSecretsOf(entry)?.password }])),
    };
  }

  const mongoUser = ofKind("mongodb.user")[0];
  if (mongoUser) {
    services.mongodb = { hosts: mongoUser.details.hosts, database: mongoUser.details.database, username: mongoUser.externalId };
    secrets.mongodb = { password: ledgerSecretsOf(mongoUser)?.password };
  }

  const rabbitUser = ofKind("rabbitmq.user")[0];
  const rabbitVhost = ofKind("rabbitmq.vhost")[0];
  if (rabbitUser && rabbitVhost) {
    services.rabbitmq = { url: rabbitVhost.details.amqpUrl, vhost: rabbitVhost.externalId, username: rabbitUser.externalId };
    secrets.rabbitmq = { password: ledgerSecretsOf(rabbitUser)?.password };
  }

  // The instance's own account on a shared Elasticsearch with security (its role reaches its own indices only).
  const searchUser = ofKind("elasticsearch.user")[0];
  if (searchUser) {
    services.elasticsearch = { username: searchUser.externalId };
    secrets.elasticsearch = { password: ledgerSecretsOf(searchUser)?.password };
  }

  const bucket = ofKind("s3.bucket")[0];
  const key = ofKind("s3.access_key")[0];
  if (bucket) {
    services.objectStorage = {
      ...(objectStorage ?? {}),
      region: bucket.details.region,
      bucket: bucket.externalId,
      accessKeyId: key?.externalId ?? null,
    };
    if (key) secrets.objectStorage = { secretAccessKey: ledgerSecretsOf(key)?.secretAccessKey };
  }

  const email = instance?.emailSettings;
  const relayCredential = ofKind("mail.relay_credential")[0];
  if (email?.relay === "own") {
    services.smtp = { host: email.smtp.host, port: email.smtp.port, tls: email.smtp.tls, username: email.smtp.user };
    secrets.smtp = { password: instance?.smtpPasswordSealed ? decryptSecret(instance.smtpPasswordSealed, sealedCells.smtpPassword(instance.id)) : "" };
  } else if (relayCredential) {
    const relay = relayCredential.details;
    services.smtp = { host: relay.host, port: relay.port, tls: relay.tls, username: relayCredential.externalId };
    secrets.smtp = { password: ledgerSecretsOf(relayCredential)?.password };
  }

  // Secrets only, nothing in the config: the same ones for every deployment of the instance.
  const tutorSecrets = ofKind("tutor.secrets")[0];
  const tutor = tutorSecrets && ledgerSecretsOf(tutorSecrets);
  if (tutor) secrets.tutor = tutor;

  return { services, secrets: { services: secrets } };
}

/**
 * A deployment's config and sealed secrets with the SMTP part re-rendered from the instance's current email
 * settings (and its relay credential among `entries`, the ledger): reconfiguring keeps the data services'
 * accounts, but a new SMTP server or password, or a switch between relays, must reach the site.
 */
export function withCurrentSmtp(
  deployment: Pick<Deployment, "id" | "instanceId" | "secrets">,
  config: DeploymentConfig,
  instance: Pick<Instance, "id" | "emailSettings" | "smtpPasswordSealed">,
  entries: LedgerEntry[],
): { config: DeploymentConfig; secrets: string } {
  const cell = sealedCells.deploymentSecrets(deployment);
  const current = renderServiceConfig(entries.filter((entry) => entry.kind === "mail.relay_credential"), undefined, instance);
  const replaceSmtp = (services: unknown, smtp: unknown) => {
    const others = Object.fromEntries(Object.entries(isPlainObject(services) ? services : {}).filter(([name]) => name !== "smtp"));
    return smtp === undefined ? others : { ...others, smtp };
  };
  const services: ServiceConfig = { ...config.services, smtp: current.services.smtp };
  if (!services.smtp) delete services.smtp;
  const secrets = deployment.secrets ? decryptJson(deployment.secrets, cell) : {};
  return {
    config: { ...config, services },
    secrets: encryptJson({ ...secrets, services: replaceSmtp(secrets.services, current.secrets.services.smtp) }, cell),
  };
}

/** `config` with `secrets` merged in (same shape): what the application server receives. */
export function withSecrets(config: Record<string, unknown>, secrets: Record<string, unknown> | null): Record<string, unknown> {
  if (!secrets) return config;
  const merged: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(secrets)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? withSecrets(current, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The configuration a deployment's application server runs with: the stored config and its unsealed secrets. */
export function siteConfigOf(deployment: Pick<Deployment, "id" | "instanceId" | "config" | "secrets">) {
  return withSecrets(deployment.config ?? {}, deployment.secrets ? decryptJson(deployment.secrets, sealedCells.deploymentSecrets(deployment)) : null);
}
