// Looks at the shared MariaDB, RabbitMQ and the test file's S3 server directly, as their administrator, to check what the drivers did —
// never through the drivers themselves.
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import mysql from "mysql2/promise";
import { createS3Client } from "@/server/infra/object-storage/client";
import { LocalS3AdminClient } from "@/server/infra/object-storage/local-s3-admin-client";

const mysqlAdminUrl = () => process.env.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306";
const rabbitUrl = () => new URL(process.env.RABBITMQ_MANAGEMENT_URL ?? "http://guest:guest@127.0.0.1:15672");

export async function withMysqlAdmin<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection(mysqlAdminUrl());
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Databases and users whose names start with `namePrefix` (e.g. "lt1a2b_0123456789ab"). */
export async function mysqlResourcesStartingWith(namePrefix: string) {
  const pattern = `${namePrefix.replace(/[_%\\]/g, "\\$&")}%`;
  return withMysqlAdmin(async (connection) => {
    const [databases] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ? ORDER BY 1",
      [pattern],
    );
    const [users] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT User AS name, Host AS host FROM mysql.user WHERE User LIKE ? ORDER BY 1",
      [pattern],
    );
    return {
      databases: databases.map((row) => String(row.name)),
      users: users.map((row) => String(row.name)),
      hosts: users.map((row) => String(row.host)),
    };
  });
}

/** The databases a user is granted something on, and what (from SHOW GRANTS, with GRANT's `\_` escapes undone). */
export async function mysqlGrantsOf(user: string, host = "%") {
  return withMysqlAdmin(async (connection) => {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR ?@?", [user, host]);
    return rows
      .map((row) => String(Object.values(row)[0]))
      .flatMap((grant) => {
        const match = /^GRANT (.+) ON `(.+)`\.\* TO /.exec(grant);
        return match ? [{ privileges: match[1]!, database: match[2]!.replace(/\\(.)/g, "$1") }] : [];
      });
  });
}

/** Connects as an instance's user; resolves to the connection or rejects with MySQL's refusal. */
export function connectAsMysqlUser(user: string, password: string, database?: string) {
  const url = new URL(mysqlAdminUrl());
  return mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user, password, database });
}

async function rabbit(path: string, init: RequestInit = {}) {
  const url = rabbitUrl();
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  return fetch(new URL(`/api${path}`, url.origin), { ...init, headers: { authorization, ...init.headers } });
}

export async function rabbitVhostsStartingWith(namePrefix: string): Promise<string[]> {
  const vhosts = (await (await rabbit("/vhosts")).json()) as { name: string }[];
  return vhosts.map((vhost) => vhost.name).filter((name) => name.startsWith(namePrefix)).sort();
}

export async function rabbitUsersStartingWith(namePrefix: string): Promise<{ name: string; tags: string[] | string }[]> {
  const users = (await (await rabbit("/users")).json()) as { name: string; tags: string[] | string }[];
  return users.filter((user) => user.name.startsWith(namePrefix)).sort((a, b) => a.name.localeCompare(b.name));
}

export async function rabbitPermissionsOf(user: string): Promise<{ vhost: string; configure: string; write: string; read: string }[]> {
  const response = await rabbit(`/users/${encodeURIComponent(user)}/permissions`);
  return response.status === 404 ? [] : ((await response.json()) as { vhost: string; configure: string; write: string; read: string }[]);
}

/** AMQP URL for an instance's user on a vhost (the host the instances use, from RABBITMQ_AMQP_URL). */
export function amqpUrlFor(user: string, password: string, vhost: string) {
  const url = new URL(process.env.RABBITMQ_AMQP_URL ?? "amqp://127.0.0.1:5672");
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

/** An S3 client on the test file's local S3 server: its root key by default, or an instance's key. */
export function s3As(credentials?: { accessKeyId: string; secretAccessKey: string }) {
  const root = { accessKeyId: process.env.S3_ACCESS_KEY_ID!, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY! };
  return createS3Client(
    { endpoint: process.env.S3_ENDPOINT!, region: process.env.S3_REGION ?? "us-east-1", forcePathStyle: true, credentials: root },
    credentials ?? root,
  );
}

export async function bucketsStartingWith(namePrefix: string): Promise<string[]> {
  const client = s3As();
  try {
    const { Buckets = [] } = await client.send(new ListBucketsCommand({}));
    return Buckets.map((bucket) => bucket.Name!).filter((name) => name.startsWith(namePrefix)).sort();
  } finally {
    client.destroy();
  }
}

/** The local S3 server's scoped keys with this name (the instance's principal name). */
export async function scopedKeysNamed(name: string) {
  const admin = new LocalS3AdminClient({
    endpoint: process.env.S3_ENDPOINT!,
    region: process.env.S3_REGION ?? "us-east-1",
    rootCredentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID!, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY! },
  });
  return (await admin.listAccessKeys()).filter((key) => key.name === name);
}
