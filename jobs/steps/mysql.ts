// The instance's databases and users on the shared MySQL cluster.
import { newServicePassword } from "@/server/crypto/passwords";
import type { PipelineStep } from "../runner/types";
import { countCreated, countRemoved, removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureMysql: PipelineStep = {
  name: "mysql",
  title: "Create MySQL databases and users",
  timeoutMs: 120_000,
  async run(ctx) {
    const { mysql } = ctx.infra;
    const names = resourceNamesOf(ctx).mysql;
    const server = `${mysql.endpoint.host}:${mysql.endpoint.port}`;
    let newDatabases = 0;
    for (const database of names.databases) {
      ctx.signal.throwIfAborted();
      await ctx.ledger.record("mysql.database", database.name, { service: database.service, suffix: database.suffix, server });
      if ((await mysql.ensureDatabase(database.name, { signal: ctx.signal })).isNew) newDatabases++;
    }
    let newUsers = 0;
    for (const user of names.users) {
      ctx.signal.throwIfAborted();
      const { secrets } = await ctx.ledger.recordBeforeCreating(
        "mysql.user",
        user.name,
        { role: user.role, databases: user.databases, access: user.access, server },
        () => ({ password: newServicePassword() }),
      );
      const { isNew } = await mysql.ensureUser({ name: user.name, password: secrets.password, databases: user.databases, access: user.access }, { signal: ctx.signal });
      if (isNew) newUsers++;
    }
    return `${countCreated(newDatabases, names.databases.length, "database")} and ${countCreated(newUsers, names.users.length, "user")} on ${server}; each service user is granted only its own databases`;
  },
};

export const removeMysql: PipelineStep = {
  name: "remove_mysql",
  title: "Drop MySQL users and databases",
  timeoutMs: 120_000,
  async run(ctx) {
    const { mysql } = ctx.infra;
    const users = await removeRecorded(ctx, "mysql.user", (entry) => mysql.dropUser(entry.externalId, { signal: ctx.signal }));
    const databases = await removeRecorded(ctx, "mysql.database", (entry) => mysql.dropDatabase(entry.externalId, { signal: ctx.signal }));
    return `${countRemoved(users, "user")} and ${countRemoved(databases, "database")}`;
  },
};
