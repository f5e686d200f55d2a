import { describe, expect, it } from "vitest";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson, encryptJson, encryptSecret } from "@/server/crypto/secrets";
import { sampleDeploymentConfig } from "@/tests/helpers/sample-deployment";
import type { LedgerEntry } from "./ledger";
import type { LedgerDetails, LedgerKind, LedgerSecrets } from "./ledger-kinds";
import { OPENEDX_TRACKING_LOGS } from "./openedx-services";
import { renderServiceConfig, siteConfigOf, withCurrentSmtp, withSecrets } from "./service-config";

const INSTANCE_ID = "00000000-0000-0000-0000-000000000000";
const deployment = { id: "00000000-0000-0000-0000-0000000000d1", instanceId: INSTANCE_ID };
const deploymentCell = sealedCells.deploymentSecrets(deployment);

function entry<K extends LedgerKind>(kind: K, externalId: string, details: LedgerDetails<K>, secrets?: LedgerSecrets<K>): LedgerEntry<K> {
  return {
    id: `${kind}:${externalId}`,
    instanceId: INSTANCE_ID,
    kind,
    externalId,
    details,
    secrets: secrets ? encryptJson(secrets, sealedCells.resourceSecrets({ instanceId: INSTANCE_ID, kind, externalId })) : null,
    createdAt: new Date(),
    deletedAt: null,
  };
}

const ledger = [
  entry("mysql.database", "lyc_k_edxapp", { service: "edxapp", suffix: "edxapp", server: "db:3306" }),
  entry("mysql.user", "lyc_k_edxapp", { role: "edxapp", databases: ["lyc_k_edxapp"], access: "all", server: "db:3306" }, { password: "mysql-secret" }),
  entry("rabbitmq.vhost", "lyc_k", { amqpUrl: "amqp://mq:5672" }),
  entry("rabbitmq.user", "lyc_k", { vhost: "lyc_k", permissions: "configure, write, read on its vhost only" }, { password: "rabbit-secret" }),
  entry("s3.bucket", "lyc-k", { driver: "aws", region: "eu-west-3", corsOrigins: [], versioning: "Enabled", trackingLogs: OPENEDX_TRACKING_LOGS }),
  entry("s3.access_key", "AKIAEXAMPLE", { issuer: "aws", principal: "lyc-k", bucket: "lyc-k" }, { secretAccessKey: "s3-secret" }),
  { ...entry("mysql.user", "lyc_k_old", { role: "old", databases: [], access: "all", server: "db:3306" }, { password: "gone" }), deletedAt: new Date() },
];

describe("the deployment's service configuration", () => {
  it("names every account but keeps every secret apart, in the same shape", () => {
    const { services, secrets } = renderServiceConfig(ledger, { endpoint: null, forcePathStyle: false });
    expect(services).toEqual({
      mysql: { server: "db:3306", databases: { edxapp: "lyc_k_edxapp" }, users: { edxapp: { username: "lyc_k_edxapp", databases: ["lyc_k_edxapp"] } } },
      rabbitmq: { url: "amqp://mq:5672", vhost: "lyc_k", username: "lyc_k" },
      objectStorage: { endpoint: null, forcePathStyle: false, region: "eu-west-3", bucket: "lyc-k", accessKeyId: "AKIAEXAMPLE" },
    });
    expect(JSON.stringify(services)).not.toMatch(/secret|gone/);
    expect(secrets).toEqual({
      services: { mysql: { users: { edxapp: { password: "mysql-secret" } } }, rabbitmq: { password: "rabbit-secret" }, objectStorage: { secretAccessKey: "s3-secret" } },
    });
  });

  it("hands the server the config with its secrets merged in, from the sealed column", () => {
    const { services, secrets } = renderServiceConfig(ledger);
    const site = siteConfigOf({ ...deployment, config: sampleDeploymentConfig(undefined, services), secrets: encryptJson(secrets, deploymentCell) });
    expect(site).toMatchObject({
      instanceName: "Sample Academy",
      services: { mysql: { users: { edxapp: { username: "lyc_k_edxapp", password: "mysql-secret" } } }, rabbitmq: { vhost: "lyc_k", password: "rabbit-secret" } },
    });
    expect(withSecrets({ a: { b: 1 } }, null)).toEqual({ a: { b: 1 } });
  });

  it("carries the client's own SMTP server in the config and its password only in the secrets", () => {
    const emailSettings = {
      relay: "own" as const,
      senderName: "School",
      senderAddress: "courses@school.example",
      smtp: { host: "smtp.school.example", port: 465, tls: "tls" as const, user: "mailer" },
    };
    const { services, secrets } = renderServiceConfig([], undefined, {
      id: INSTANCE_ID,
      emailSettings,
      smtpPasswordSealed: encryptSecret("own-smtp-secret", sealedCells.smtpPassword(INSTANCE_ID)),
    });
    expect(services).toEqual({ smtp: { host: "smtp.school.example", port: 465, tls: "tls", username: "mailer" } });
    expect(secrets).toEqual({ services: { smtp: { password: "own-smtp-secret" } } });

    const platform = renderServiceConfig([], undefined, { id: INSTANCE_ID, emailSettings: { ...emailSettings, relay: "platform" }, smtpPasswordSealed: null });
    expect(platform).toEqual({ services: {}, secrets: { services: {} } });
  });

  it("re-renders only the own SMTP part when settings change on a running deployment", () => {
    const { services, secrets } = renderServiceConfig(ledger, { endpoint: null, forcePathStyle: false });
    const own = {
      id: INSTANCE_ID,
      emailSettings: {
        relay: "own" as const,
        senderName: "School",
        senderAddress: "courses@school.example",
        smtp: { host: "smtp.new.example", port: 587, tls: "starttls" as const, user: "mailer" },
      },
      smtpPasswordSealed: encryptSecret("new-smtp-secret", sealedCells.smtpPassword(INSTANCE_ID)),
    };
    const changed = withCurrentSmtp({ ...deployment, secrets: encryptJson(secrets, deploymentCell) }, sampleDeploymentConfig(undefined, services), own, ledger);
    expect(changed.config.services).toEqual({ ...services, smtp: { host: "smtp.new.example", port: 587, tls: "starttls", username: "mailer" } });
    expect(JSON.stringify(changed.config)).not.toContain("new-smtp-secret");
    expect(decryptJson(changed.secrets, deploymentCell)).toEqual({ services: { ...secrets.services, smtp: { password: "new-smtp-secret" } } });

    const onPlatform = { id: INSTANCE_ID, emailSettings: { ...own.emailSettings, relay: "platform" as const }, smtpPasswordSealed: null };
    const back = withCurrentSmtp({ ...deployment, secrets: changed.secrets }, changed.config, onPlatform, ledger);
    expect(back.config.services).toEqual(services);
    expect(decryptJson(back.secrets, deploymentCell)).toEqual(secrets);

    // Back on the platform's relay once the instance holds a relay credential: the site gets that credential.
    const relay = entry("mail.relay_credential", "lyc_k", { host: "relay.lyceum.example", port: 2525, tls: "starttls" }, { password: "relay-token" });
    const onRelay = withCurrentSmtp({ ...deployment, secrets: changed.secrets }, changed.config, onPlatform, [...ledger, relay]);
    expect(onRelay.config.services).toEqual({ ...services, smtp: { host: "relay.lyceum.example", port: 2525, tls: "starttls", username: "lyc_k" } });
    expect(decryptJson(onRelay.secrets, deploymentCell)).toEqual({ services: { ...secrets.services, smtp: { password: "relay-token" } } });
  });
});
