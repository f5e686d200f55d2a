// The one place where configuration picks each capability's driver.
import { env } from "@/server/env";
import type { ComputeDriver } from "./compute/driver";
import { createLocalComputeDriver } from "./compute/local";
import type { FrontDoorDriver } from "./front-door/driver";
import { createLocalFrontDoor } from "./front-door/local";
import { createMongoDriver } from "./mongodb/admin-connection";
import type { MongoDriver } from "./mongodb/driver";
import { createMysqlDriver } from "./mysql/admin-connection";
import type { MysqlDriver } from "./mysql/driver";
import type { RabbitDriver } from "./rabbitmq/driver";
import { createRabbitDriver } from "./rabbitmq/management-api";

export type Infrastructure = {
  compute: ComputeDriver;
  frontDoor: FrontDoorDriver;
  mysql: MysqlDriver;
  /** Null when no MongoDB cluster is configured (MONGODB_ADMIN_URL): the pipeline says it skipped it. */
  mongodb: MongoDriver | null;
  rabbitmq: RabbitDriver;
};

let cached: Infrastructure | undefined;

export function infra(): Infrastructure {
  if (cached) return cached;
  const config = env();
  cached = {
    compute: createLocalComputeDriver(config.LYCEUM_STATE_DIR),
    frontDoor: createLocalFrontDoor(config.LYCEUM_STATE_DIR),
    mysql: createMysqlDriver(config.MYSQL_ADMIN_URL, config.MYSQL_USER_HOST),
    mongodb: config.MONGODB_ADMIN_URL ? createMongoDriver(config.MONGODB_ADMIN_URL) : null,
    rabbitmq: createRabbitDriver(config.RABBITMQ_MANAGEMENT_URL, config.RABBITMQ_AMQP_URL),
  };
  return cached;
}

/** Tests swap in drivers of their own (e.g. pointed at a temporary state dir). */
export function setInfrastructure(replacement: Infrastructure | undefined) {
  cached = replacement;
}

/** Closes the drivers' connection pools (at worker shutdown, and after tests). */
export async function closeInfrastructure() {
  const current = cached;
  cached = undefined;
  await Promise.all([current?.mysql.close(), current?.mongodb?.close()]);
}
