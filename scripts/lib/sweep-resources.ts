// Removes every database, user, vhost (and bucket) on the shared services whose name starts with a prefix:
// how throwaway stacks (tests, the e2e server, benchmarks), which each name their resources with a random
// prefix of their own, leave the shared MariaDB and RabbitMQ as they found them. Never point it at "lyc".
import mysql from "mysql2/promise";

export async function sweepResources(prefix: string, config: NodeJS.ProcessEnv = process.env) {
  if (!/^[a-z][a-z0-9]{3,5}$/.test(prefix) || prefix === "lyc") throw new Error(`refusing to sweep the prefix "${prefix}"`);
  const namePrefix = `${prefix}_`;
  const like = `${namePrefix.replace(/[_%\\]/g, "\\$&")}%`;

  const connection = await mysql.createConnection(config.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306");
  let counts = { databases: 0, users: 0, vhosts: 0 };
  try {
    const [users] = await connection.query<mysql.RowDataPacket[]>("SELECT User, Host FROM mysql.user WHERE User LIKE ?", [like]);
    for (const user of users) await connection.query("DROP USER IF EXISTS ?@?", [user.User, user.Host]);
    const [databases] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?",
      [like],
    );
    for (const database of databases) await connection.query("DROP DATABASE IF EXISTS ??", [database.name]);
    counts = { ...counts, databases: databases.length, users: users.length };
  } finally {
    await connection.end();
  }

  const management = new URL(config.RABBITMQ_MANAGEMENT_URL ?? "http://guest:guest@127.0.0.1:15672");
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(management.username)}:${decodeURIComponent(management.password)}`).toString("base64")}`;
  const api = (path: string, method = "GET") => fetch(new URL(`/api${path}`, management.origin), { method, headers: { authorization } });
  for (const kind of ["users", "vhosts"] as const) {
    const items = (await (await api(`/${kind}`)).json()) as { name: string }[];
    for (const item of items.filter((candidate) => candidate.name.startsWith(namePrefix))) {
      await api(`/${kind}/${encodeURIComponent(item.name)}`, "DELETE");
      if (kind === "vhosts") counts.vhosts++;
    }
  }
  return counts;
}

/** A random prefix for a throwaway stack: `tag` + 4 characters, e.g. "lt3k9z". */
export function throwawayPrefix(tag: string) {
  return `${tag}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0")}`;
}
