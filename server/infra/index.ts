// The one place where configuration picks each capability's driver.
import { readFileSync } from "node:fs";
import { db } from "@/db";
import { acmeAccountStore, httpChallengeStore } from "@/server/certificates/acme-stores";
import { certificatesToServe } from "@/server/certificates/store";
import { ConfigurationError, env, type Env } from "@/server/env";
import { routedHostnames } from "@/server/instances/hostnames";
import { createAcmeIssuer } from "./certificate-issuers/acme";
import type { CertificateIssuer } from "./certificate-issuers/issuer";
import { createSelfSignedIssuer } from "./certificate-issuers/self-signed";
import type { ComputeDriver } from "./compute/driver";
import { createChalltestsrvDnsDriver } from "./dns/challtestsrv";
import type { DnsDriver } from "./dns/driver";
import { createGandiDnsDriver } from "./dns/gandi-livedns";
import { createLocalDnsDriver } from "./dns/local";
import type { SearchSecurityDriver } from "./elasticsearch/driver";
import { createSearchSecurityDriver } from "./elasticsearch/security-api";
import { createLocalComputeDriver } from "./compute/local";
import { createOvhApi } from "./compute/ovh/api-client";
import { createOvhComputeDriver } from "./compute/ovh/public-cloud";
import type { FrontDoorDriver } from "./front-door/driver";
import { createLoadBalancerFrontDoor } from "./front-door/load-balancer";
import { createLocalFrontDoor } from "./front-door/local";
import { createLoadBalancer, type LoadBalancer } from "./load-balancer";
import type { CertificatesProvider } from "./load-balancer/state-from-db";
import { createMongoDriver } from "./mongodb/admin-connection";
import type { MongoDriver } from "./mongodb/driver";
import { createMysqlDriver } from "./mysql/admin-connection";
import type { MysqlDriver } from "./mysql/driver";
import { createAwsIamKeyIssuer } from "./object-storage/aws-iam-keys";
import { objectStorageSettings } from "./object-storage/settings";
import type { ObjectStorageDriver } from "./object-storage/driver";
import { createLocalScopedKeyIssuer } from "./object-storage/local-scoped-keys";
import { createS3ObjectStorage } from "./object-storage/s3-buckets";
import type { RabbitDriver } from "./rabbitmq/driver";
import { createRabbitDriver } from "./rabbitmq/management-api";

export type Infrastructure = {
  compute: ComputeDriver;
  frontDoor: FrontDoorDriver;
  /** Null when LOAD_BALANCER_DRIVER=none: each local site server is its own front door. */
  loadBalancer: LoadBalancer | null;
  mysql: MysqlDriver;
  /** Null when no MongoDB cluster is configured (MONGODB_ADMIN_URL): the pipeline says it skipped it. */
  mongodb: MongoDriver | null;
  rabbitmq: RabbitDriver;
  /**
   * Null unless the shared Elasticsearch (ELASTICSEARCH_HOST) has security on and an admin account is configured
   * (ELASTICSEARCH_ADMIN_URL): the pipeline says it skipped the per-instance search user.
   */
  elasticsearch: SearchSecurityDriver | null;
  objectStorage: ObjectStorageDriver;
  dns: DnsDriver;
  /** ACME when ACME_DIRECTORY_URL is set, else self-signed (development). */
  certificates: CertificateIssuer;
};

let cached: Infrastructure | undefined;

/** Each driver call's own limit (server/infra/call-options.ts). */
const callTimeoutMs = (config: Env) => config.DRIVER_CALL_TIMEOUT_SECONDS * 1000;

/** The certificates HAProxy serves by name (its crt-list), best first, with their owners (each is bound to its owner's names); names none covers get the default one. */
const servedCertificates: CertificatesProvider = async (q) =>
  (await certificatesToServe(q)).map(({ instanceId, hostnames, chainPem, privateKeyPem }) => ({ instanceId, hostnames, chainPem, keyPem: privateKeyPem }));

export function infra(): Infrastructure {
  if (cached) return cached;
  const config = env();
  const loadBalancer = createLoadBalancer(config, { siteHostnames: routedHostnames, certificates: servedCertificates });
  cached = {
    compute: computeDriver(config),
    frontDoor: loadBalancer ? createLoadBalancerFrontDoor(loadBalancer, db) : createLocalFrontDoor(config.LYCEUM_STATE_DIR),
    loadBalancer,
    mysql: createMysqlDriver(config.MYSQL_ADMIN_URL, config.MYSQL_USER_HOST, callTimeoutMs(config)),
    mongodb: config.MONGODB_ADMIN_URL ? createMongoDriver(config.MONGODB_ADMIN_URL, callTimeoutMs(config)) : null,
    rabbitmq: createRabbitDriver(config.RABBITMQ_MANAGEMENT_URL, config.RABBITMQ_AMQP_URL, callTimeoutMs(config)),
    elasticsearch: searchSecurityDriver(config),
    objectStorage: objectStorageDriver(config),
    ...edgeDrivers(config),
  };
  return cached;
}

/** The compute driver COMPUTE_DRIVER names (exported for its test). */
export function computeDriver(config: Env): ComputeDriver {
  if (config.COMPUTE_DRIVER === "local") return createLocalComputeDriver(config.LYCEUM_STATE_DIR, { bootPhaseMs: config.LOCAL_SITE_BOOT_PHASE_MS });
  // parseEnv has checked that every OVH_* setting is present with COMPUTE_DRIVER=ovh.
  const api = createOvhApi({
    endpoint: config.OVH_ENDPOINT!,
    applicationKey: config.OVH_APPLICATION_KEY!,
    applicationSecret: config.OVH_APPLICATION_SECRET!,
    consumerKey: config.OVH_CONSUMER_KEY!,
    timeoutMs: callTimeoutMs(config),
  });
  const platform = { elasticsearchHost: config.ELASTICSEARCH_HOST, memcachedHost: config.MEMCACHED_HOST, monitoringCidr: config.OVH_MONITORING_CIDR };
  return createOvhComputeDriver(api, {
    projectId: config.OVH_PROJECT_ID!,
    region: config.OVH_REGION!,
    flavorId: config.OVH_FLAVOR_ID,
    imageId: config.OVH_IMAGE_ID!,
    sshKeyId: config.OVH_SSH_KEY_ID!,
    resourcePrefix: config.LYCEUM_RESOURCE_PREFIX,
    buildTimeoutMs: config.OVH_BUILD_TIMEOUT_SECONDS * 1000,
    progressIntervalMs: config.OVH_BUILD_PROGRESS_SECONDS * 1000,
    // Loaded with the first VM (it brings the YAML writer): portals on local compute never need it.
    renderUserData: async (spec) => (await import("./compute/cloud-init/user-data")).renderUserData(spec, platform),
    renderServicesUserData: async (spec) =>
      (await import("./compute/cloud-init/services-vm")).renderServicesUserData(spec, { clientCidr: config.OVH_SERVICES_CLIENT_CIDR }),
  });
}

/** Per-instance search users only on a shared cluster (ELASTICSEARCH_HOST) with an admin account (exported for its test). */
export function searchSecurityDriver(config: Env): SearchSecurityDriver | null {
  return config.ELASTICSEARCH_HOST && config.ELASTICSEARCH_ADMIN_URL ? createSearchSecurityDriver(config.ELASTICSEARCH_ADMIN_URL, callTimeoutMs(config)) : null;
}

function objectStorageDriver(config: Env): ObjectStorageDriver {
  const settings = objectStorageSettings(config);
  const kind = config.OBJECT_STORAGE_DRIVER ?? (config.S3_ENDPOINT ? "local" : "aws");
  if (kind === "local" && (!settings.endpoint || !settings.credentials)) {
    throw new ConfigurationError("OBJECT_STORAGE_DRIVER=local needs S3_ENDPOINT and the local server's root key (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)");
  }
  const keys =
    kind === "local"
      ? createLocalScopedKeyIssuer({ endpoint: settings.endpoint!, region: settings.region, rootCredentials: settings.credentials!, callTimeoutMs: callTimeoutMs(config) })
      : createAwsIamKeyIssuer({ endpoint: config.AWS_IAM_ENDPOINT, credentials: settings.credentials, callTimeoutMs: callTimeoutMs(config) });
  return createS3ObjectStorage({
    name: kind === "local" ? "local-s3" : "aws-s3",
    client: async () => (await import("./object-storage/client")).createS3Client(settings),
    settings: { endpoint: settings.endpoint, region: settings.region, forcePathStyle: settings.forcePathStyle },
    keys,
    blocksPublicAccess: kind === "aws",
    callTimeoutMs: callTimeoutMs(config),
  });
}

function dnsDriver(config: Env): DnsDriver {
  switch (config.DNS_DRIVER) {
    case "gandi":
      return createGandiDnsDriver({ apiUrl: config.GANDI_API_URL, token: config.GANDI_TOKEN!, zone: config.dnsZone, callTimeoutMs: callTimeoutMs(config) });
    case "challtestsrv":
      return createChalltestsrvDnsDriver({ managementUrl: config.CHALLTESTSRV_URL!, stateDir: config.LYCEUM_STATE_DIR, zone: config.dnsZone });
    case "local":
      return createLocalDnsDriver(config.LYCEUM_STATE_DIR, config.dnsZone);
  }
}

/** DNS and the certificate issuer that writes its DNS-01 proofs through it. */
export function edgeDrivers(config: Env, pollMs?: { min: number; max: number }): Pick<Infrastructure, "dns" | "certificates"> {
  const dns = dnsDriver(config);
  const certificates = config.ACME_DIRECTORY_URL
    ? createAcmeIssuer({
        directoryUrl: config.ACME_DIRECTORY_URL,
        email: config.ACME_EMAIL ?? config.LYCEUM_STAFF_EMAIL,
        dns,
        httpChallenges: httpChallengeStore(db),
        accounts: acmeAccountStore(db),
        caPem: config.ACME_CA_CERTS ? readFileSync(config.ACME_CA_CERTS, "utf8") : undefined,
        pollMs,
        callTimeoutMs: callTimeoutMs(config),
      })
    : createSelfSignedIssuer();
  return { dns, certificates };
}

/** Tests swap in drivers of their own (e.g. pointed at a temporary state dir). */
export function setInfrastructure(replacement: Infrastructure | undefined) {
  cached = replacement;
}

/** Closes the drivers' connection pools (at worker shutdown, and after tests). */
export async function closeInfrastructure() {
  const current = cached;
  cached = undefined;
  await Promise.all([current?.mysql.close(), current?.mongodb?.close(), current?.objectStorage.close()]);
}
