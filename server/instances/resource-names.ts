// Every external name of an instance's resources, derived in one place from its resource key (unique per
// portal, random across portals) and the deployment's prefix. Names are plain [a-z0-9_-], so they never need
// quoting tricks, and stay within the strictest limit of every system that stores them.
import { OPENEDX_MYSQL_ROLES, OPENEDX_MYSQL_SERVICES } from "./openedx-services";

/** MySQL 8 allows 32 characters in a user name (MariaDB 10.11 allows 128): the stricter one wins. */
export const MYSQL_USER_NAME_MAX = 32;
/** MySQL and MariaDB: 64 characters for a database name. */
const MYSQL_DATABASE_NAME_MAX = 64;
/** MongoDB: database names under 64 bytes. */
const MONGODB_DATABASE_NAME_MAX = 63;
/** RabbitMQ has no small limit; we keep vhost and user names as short as the rest. */
const RABBITMQ_NAME_MAX = 64;
/** S3 bucket names: 3–63 characters, lower-case letters, digits and hyphens (no underscores). */
const BUCKET_NAME_MAX = 63;
/** IAM user names: up to 64 characters. */
const IAM_USER_NAME_MAX = 64;
/** Elasticsearch role and user names: up to 1024 characters; we keep them as short as the rest. */
const ELASTICSEARCH_NAME_MAX = 64;
/** The instance mail relay's user names: our own limit, as short as the rest. */
const MAIL_RELAY_USER_NAME_MAX = 64;

export const RESOURCE_PREFIX_PATTERN = /^[a-z][a-z0-9]{0,5}$/;
const RESOURCE_KEY_PATTERN = /^[a-z0-9]{12}$/;

type NamedInstance = { resourceKey: string };

type MysqlDatabaseName = { name: string; service: string; suffix: string };
type MysqlUserName = { name: string; role: string; databases: string[]; access: "all" | "read-only" };

export function instanceResourceNames(instance: NamedInstance, prefix: string) {
  if (!RESOURCE_PREFIX_PATTERN.test(prefix)) throw new Error(`Resource prefix "${prefix}" must match ${RESOURCE_PREFIX_PATTERN}`);
  if (!RESOURCE_KEY_PATTERN.test(instance.resourceKey)) {
    throw new Error(`Resource key "${instance.resourceKey}" must match ${RESOURCE_KEY_PATTERN}`);
  }
  const base = `${prefix}_${instance.resourceKey}`;
  const dashed = `${prefix}-${instance.resourceKey}`;

  const databases: MysqlDatabaseName[] = OPENEDX_MYSQL_SERVICES.flatMap(({ service, databases: suffixes }) =>
    suffixes.map((suffix) => ({ name: checked(`${base}_${suffix}`, MYSQL_DATABASE_NAME_MAX), service, suffix })),
  );
  const allDatabases = databases.map((database) => database.name);
  const users: MysqlUserName[] = [
    ...OPENEDX_MYSQL_SERVICES.map(({ service }) => ({
      name: checked(`${base}_${service}`, MYSQL_USER_NAME_MAX),
      role: service,
      databases: databases.filter((database) => database.service === service).map((database) => database.name),
      access: "all" as const,
    })),
    ...OPENEDX_MYSQL_ROLES.map((role) => ({
      name: checked(`${base}_${role}`, MYSQL_USER_NAME_MAX),
      role,
      databases: allDatabases,
      access: role === "readonly" ? ("read-only" as const) : ("all" as const),
    })),
  ];

  return {
    mysql: { databases, users },
    mongodb: { database: checked(base, MONGODB_DATABASE_NAME_MAX), user: checked(base, MONGODB_DATABASE_NAME_MAX) },
    rabbitmq: { vhost: checked(base, RABBITMQ_NAME_MAX), user: checked(base, RABBITMQ_NAME_MAX) },
    objectStorage: { bucket: checked(dashed, BUCKET_NAME_MAX), iamUser: checked(dashed, IAM_USER_NAME_MAX) },
    mailRelay: { user: checked(base, MAIL_RELAY_USER_NAME_MAX) },
    // Not a name anywhere outside the ledger: the external id of the instance's Tutor secrets.
    tutor: { base },
    elasticsearch: { role: checked(base, ELASTICSEARCH_NAME_MAX), user: checked(base, ELASTICSEARCH_NAME_MAX) },
  };
}

function checked(name: string, max: number): string {
  if (name.length > max) throw new Error(`"${name}" is longer than ${max} characters`);
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`"${name}" has characters outside [a-z0-9_-]`);
  return name;
}
