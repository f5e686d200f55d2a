// The one place where configuration picks each capability's driver.
import { ConfigurationError, env, type Env } from "@/server/env";
import type { ComputeDriver } from "./compute/driver";
import { renderUserData } from "./compute/cloud-init/user-data";
import { createLocalComputeDriver } from "./compute/local";
import { createOvhApi } from "./compute/ovh/api-client";
import { createOvhComputeDriver } from "./compute/ovh/public-cloud";
import type { FrontDoorDriver } from "./front-door/driver";
import { createLocalFrontDoor } from "./front-door/local";
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
  cached = {
    compute: computeDriver(config),
    frontDoor: createLocalFrontDoor(config.LYCEUM_STATE_DIR),
    mysql: createMysqlDriver(config.MYSQL_ADMIN_URL, config.MYSQL_USER_HOST),
    mongodb: config.MONGODB_ADMIN_URL ? createMongoDriver(config.MONGODB_ADMIN_URL) : null,
    rabbitmq: createRabbitDriver(config.RABBITMQ_MANAGEMENT_URL, config.RABBITMQ_AMQP_URL),
    objectStorage: objectStorageDriver(config),
  };
  return cached;
}

/** The compute driver COMPUTE_DRIVER names (exported for its test). */
export function computeDriver(config: Env): ComputeDriver {
  if (config.COMPUTE_DRIVER === "local") return createLocalComputeDriver(config.LYCEUM_STATE_DIR);
  // parseEnv has checked that every OVH_* setting is present with COMPUTE_DRIVER=ovh.
  const api = createOvhApi({
    endpoint: config.OVH_ENDPOINT!,
    applicationKey: config.OVH_APPLICATION_KEY!,
    applicationSecret: config.OVH_APPLICATION_SECRET!,
    consumerKey: config.OVH_CONSUMER_KEY!,
  });
  const platform = { smtpUrl: config.LYCEUM_SMTP_URL, elasticsearchHost: config.ELASTICSEARCH_HOST, memcachedHost: config.MEMCACHED_HOST };
  return createOvhComputeDriver(api, {
    projectId: config.OVH_PROJECT_ID!,
    region: config.OVH_REGION!,
    flavorId: config.OVH_FLAVOR_ID!,
    imageId: config.OVH_IMAGE_ID!,
    sshKeyId: config.OVH_SSH_KEY_ID!,
    resourcePrefix: config.LYCEUM_RESOURCE_PREFIX,
    renderUserData: (spec) => renderUserData(spec, platform),
  });
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
