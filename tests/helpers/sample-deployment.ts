// A sample instance as the OVH user-data tests render it: its row, its ledger of data services (with sealed
// secrets), and the deployed configuration the VM receives (rendered config with the secrets merged in).
import type { Instance } from "@/db/schema";
import { planById, planDeploymentConfig } from "@/server/billing/plans";
import { defaultStaticPages } from "@/server/branding/static-pages";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptJson } from "@/server/crypto/secrets";
import type { DeploymentConfig, ServiceConfig } from "@/server/deployments/config";
import { renderUserData, type PlatformServices } from "@/server/infra/compute/cloud-init/user-data";
import type { LedgerEntry } from "@/server/instances/ledger";
import type { LedgerDetails, LedgerKind, LedgerSecrets } from "@/server/instances/ledger-kinds";
import { OPENEDX_TRACKING_LOGS } from "@/server/instances/openedx-services";
import { renderServiceConfig, withSecrets } from "@/server/instances/service-config";
import { renderSiteConfig } from "@/server/instances/site-config";

export const DEPLOYMENT_ID = "5b0c8a52-3f1e-4c7a-9d2b-6e4f1a2b3c4d";
export const INSTANCE_ID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
export const PLATFORM: PlatformServices = {};

/** A branding image as the instance row keeps it (the sha256 versions its URL). */
function image(slot: string, contentType: string, shaStart: string) {
  return { key: `branding/${INSTANCE_ID}/${slot}`, contentType, bytes: 1000, width: 100, height: 100, sha256: shaStart.padEnd(64, "0") };
}

const OWNER_EMAIL = "owner@sample.example";

export const instance: Instance = {
  id: INSTANCE_ID,
  ownerId: "owner-1",
  organisationId: "00000000-0000-4000-8000-00000000000a",
  name: "Sample Academy",
  subdomain: "sample",
  customDomain: null,
  customDomainStatus: null,
  hasNestedHostnames: false,
  customDomainProblem: null,
  customDomainCheckedAt: null,
  customDomainSince: null,
  maintenancePageSince: null,
  domainChallengeToken: "challenge",
  plan: "starter",
  appServersOverride: null,
  contactEmail: "hello@sample.example",
  contactEmailVerifiedAt: new Date("2026-01-01T00:00:00Z"),
  description: "Courses in astronomy and sailing.",
  privacyPolicyUrl: "https://sample.example/privacy",
  branding: {
    mainColor: "#1d4ed8",
    linkColor: "#1e40af",
    headerBackground: "#1e3a8a",
    footerBackground: "#111827",
    acceptLowContrast: false,
    logo: image("logo", "image/svg+xml", "a1"),
    favicon: image("favicon", "image/png", "b2"),
    heroCover: image("heroCover", "image/jpeg", "c3"),
    footerLogo: null,
  },
  staticPages: {
    ...defaultStaticPages(),
    about: { isVisible: true, markdown: "# About us\n\nWe teach." },
    privacy: { isVisible: true, markdown: "We keep **your email** and nothing else." },
  },
  emailSettings: { relay: "platform", senderName: "Sample Academy", senderAddress: "courses@sample.example" },
  smtpPasswordSealed: null,
  emailSettingsChangedAt: null,
  wizardStep: "review",
  status: "provisioning",
  resourceKey: "abcdef012345",
  activeDeploymentId: null,
  releaseId: null,
  upgradeWindowDay: null,
  upgradeWindowStartHour: null,
  upgradeWindowHours: null,
  lastEventSeq: 0,
  creationKey: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-01T00:00:00Z"),
};

function entry<K extends LedgerKind>(kind: K, externalId: string, details: LedgerDetails<K>, secrets?: LedgerSecrets<K>): LedgerEntry<K> {
  return { id: `${kind}:${externalId}`, instanceId: INSTANCE_ID, kind, externalId, details, secrets: secrets ? encryptJson(secrets, sealedCells.resourceSecrets({ instanceId: INSTANCE_ID, kind, externalId })) : null, createdAt: new Date(), deletedAt: null };
}

/** Stand-ins of the right shape (a real key is 1.7 kB of noise in the golden file). */
export const SAMPLE_TUTOR_SECRETS = {
  OPENEDX_SECRET_KEY: "SampleDjangoSecretKey024",
  JWT_RSA_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nU2FtcGxlIEpXVCBzaWduaW5nIGtleQ==\n-----END RSA PRIVATE KEY-----",
  CMS_OAUTH2_SECRET: "SampleStudioOauthSecret2",
  ID: "SampleTutorPlatformId024",
};

export const ledger = [
  entry("mysql.database", "lyc_abcdef012345_edxapp", { service: "edxapp", suffix: "edxapp", server: "mysql.internal:3306" }),
  entry("mysql.user", "lyc_abcdef012345_edxapp", { role: "edxapp", databases: ["lyc_abcdef012345_edxapp"], access: "all", server: "mysql.internal:3306" }, { password: "mysql-edxapp-pw" }),
  entry("mysql.user", "lyc_abcdef012345_migrate", { role: "migrate", databases: ["lyc_abcdef012345_edxapp"], access: "all", server: "mysql.internal:3306" }, { password: "mysql-migrate-pw" }),
  entry("mongodb.user", "lyc_abcdef012345", { database: "lyc_abcdef012345", roles: ["readWrite@lyc_abcdef012345"], hosts: ["mongo1.internal:27017", "mongo2.internal:27017"] }, { password: "mongo-pw" }),
  entry("rabbitmq.vhost", "lyc_abcdef012345", { amqpUrl: "amqp://rabbit.internal:5672" }),
  entry("rabbitmq.user", "lyc_abcdef012345", { vhost: "lyc_abcdef012345", permissions: "configure, write, read on its vhost only" }, { password: "rabbit-pw" }),
  entry("s3.bucket", "lyc-abcdef012345", { driver: "aws", region: "eu-west-3", corsOrigins: [], versioning: "Enabled", trackingLogs: OPENEDX_TRACKING_LOGS }),
  entry("s3.access_key", "AKIASAMPLEKEY", { issuer: "aws", principal: "lyc-abcdef012345", bucket: "lyc-abcdef012345" }, { secretAccessKey: "s3-secret-key" }),
  entry("mail.relay_credential", "lyc_abcdef012345", { host: "relay.lyceum.example", port: 587, tls: "starttls" }, { password: "relay-token" }),
  entry("tutor.secrets", "lyc_abcdef012345", { keys: ["OPENEDX_SECRET_KEY", "JWT_RSA_PRIVATE_KEY", "CMS_OAUTH2_SECRET", "ID"] }, SAMPLE_TUTOR_SECRETS),
];

/** A deployment's stored configuration, as the config step renders it, with these services. */
export function sampleDeploymentConfig(forInstance: Instance = instance, services: ServiceConfig = {}): DeploymentConfig {
  const site = renderSiteConfig(forInstance, { LYCEUM_BASE_DOMAIN: "lyceum.example", publicUrl: "https://portal.lyceum.example" });
  return { ...planDeploymentConfig(planById(forInstance.plan)), ...site, services, release: SAMPLE_RELEASE };
}

/**
 * A deployment row's configuration and sealed secrets as the config step stores them for the sample ledger (the
 * row's id is chosen first: the secrets are sealed to it).
 */
export function storedDeployment(forInstance: Instance, id: string = crypto.randomUUID()) {
  const { services, secrets } = renderServiceConfig(ledger, { endpoint: null, forcePathStyle: false }, forInstance);
  return { id, config: sampleDeploymentConfig(forInstance, services), secrets: encryptJson(secrets, sealedCells.deploymentSecrets({ id, instanceId: forInstance.id })) };
}

/** What the VM receives: the rendered config with the sealed secrets merged in (siteConfigOf does this at boot). */
export function deployedConfig(forInstance: Instance = instance, forLedger: LedgerEntry[] = ledger, ownerEmail: string | null = OWNER_EMAIL) {
  const site = renderSiteConfig(forInstance, { LYCEUM_BASE_DOMAIN: "lyceum.example", publicUrl: "https://portal.lyceum.example" });
  const { services, secrets } = renderServiceConfig(forLedger, { endpoint: null, forcePathStyle: false }, forInstance);
  // Where the VM reports its boot phases, and the deployment's token (sealed with the secrets, merged in at boot).
  const bootReport = { url: `https://portal.lyceum.example/api/deployments/${DEPLOYMENT_ID}/boot-phases` };
  return withSecrets({ ...site, ownerEmail, services, bootReport, release: SAMPLE_RELEASE }, { ...secrets, bootReport: { token: SAMPLE_BOOT_REPORT_TOKEN } });
}

/** Quince as the catalogue seeds it (db/migrations/0020_releases_and_upgrades.sql). */
export const SAMPLE_RELEASE = {
  name: "quince",
  tutorVersion: "17.0.6",
  pluginVersions: { "tutor-mfe": "17.0.1", "tutor-indigo": "17.4.2", "tutor-contrib-s3": "1.4.0" },
  migrations: [],
};

export const SAMPLE_BOOT_REPORT_TOKEN = "SampleBootReportToken0123456789abcdefghijk";

export const render = (siteConfig: Record<string, unknown>, platform: PlatformServices = PLATFORM) =>
  renderUserData({ deploymentId: DEPLOYMENT_ID, instanceId: String(siteConfig.instanceId ?? INSTANCE_ID), siteConfig }, platform);
