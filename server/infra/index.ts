// The one place where configuration picks each capability's driver.
import { db } from "@/db";
import { ConfigurationError, env, type Env } from "@/server/env";
import type { ComputeDriver } from "./compute/driver";
import { createLocalComputeDriver } from "./compute/local";
import type { FrontDoorDriver } from "./front-door/driver";
import { createLoadBalancerFrontDoor } from "./front-door/load-balancer";
import { createLocalFrontDoor } from "./front-door/local";
import { createLoadBalancer, type LoadBalancer } from "./load-balancer";
import { noCertificates } from "./load-balancer/state-from-db";
import { createMongoDriver } from "./mongodb/admin-connection";
import type { MongoDriver } from "./mongodb/driver";
import { createMysqlDriver } from "./mysql/admin-connection";
import type { MysqlDriver } from "./mysql/driver";
import { createAwsIamKeyIssuer } from "./object-storage/aws-iam-keys";
import { createS3Client, objectStorageSettings } from "./object-storage/client";
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
  objectStorage: ObjectStorageDriver;
};

let cached: Infrastructure | undefined;

export function infra(): Infrastructure {
  if (cached) return cached;
  const config = env();
  // The certificates HAProxy serves by name; noCertificates serves only the self-signed default one.
  const loadBalancer = createLoadBalancer(config, noCertificates);
  cached = {
    compute: createLocalComputeDriver(config.LYCEUM_STATE_DIR),
    frontDoor: loadBalancer ? createLoadBalancerFrontDoor(loadBalancer, db) : createLocalFrontDoor(config.LYCEUM_STATE_DIR),
    loadBalancer,
    mysql: createMysqlDriver(config.MYSQL_ADMIN_URL, config.MYSQL_USER_HOST),
    mongodb: config.MONGODB_ADMIN_URL ? createMongoDriver(config.MONGODB_ADMIN_URL) : null,
    rabbitmq: createRabbitDriver(config.RABBITMQ_MANAGEMENT_URL, config.RABBITMQ_AMQP_URL),
    objectStorage: objectStorageDriver(config),
  };
  return cached;
}

function objectStorageDriver(config: Env): ObjectStorageDriver {
  const settings = objectStorageSettings(config);
  const kind = config.OBJECT_STORAGE_DRIVER ?? (config.S3_ENDPOINT ? "local" : "aws");
  if (kind === "local" && (!settings.endpoint || !settings.credentials)) {
    throw new ConfigurationError("OBJECT_STORAGE_DRIVER=local needs S3_ENDPOINT and the local server's root key (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)");
  }
  const keys =
    kind === "local"
      ? createLocalScopedKeyIssuer({ endpoint: settings.endpoint!, region: settings.region, rootCredentials: settings.credentials! })
      : createAwsIamKeyIssuer({ endpoint: config.AWS_IAM_ENDPOINT, credentials: settings.credentials });
  return createS3ObjectStorage({
    name: kind === "local" ? "local-s3" : "aws-s3",
    client: createS3Client(settings),
    settings: { endpoint: settings.endpoint, region: settings.region, forcePathStyle: settings.forcePathStyle },
    keys,
    blocksPublicAccess: kind === "aws",
  });
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
