// The instance's database and user on the shared MongoDB cluster (skipped when none is configured).
import { newServicePassword } from "@/server/crypto/passwords";
import type { PipelineStep } from "../runner/types";
import { countRemoved, removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureMongodb: PipelineStep = {
  name: "mongodb",
  title: "Create MongoDB database and user",
  timeoutMs: 60_000,
  async run(ctx) {
    const mongo = ctx.infra.mongodb;
    if (!mongo) return "skipped: no MongoDB cluster is configured (set MONGODB_ADMIN_URL to provision one)";
    const { database, user } = resourceNamesOf(ctx).mongodb;
    await ctx.ledger.record("mongodb.database", database, { hosts: mongo.hosts });
    ctx.signal.throwIfAborted();
    const { secrets } = await ctx.ledger.recordBeforeCreating(
      "mongodb.user",
      user,
      { database, roles: [`readWrite@${database}`], hosts: mongo.hosts },
      () => ({ password: newServicePassword() }),
    );
    const { isNew } = await mongo.ensureUser({ database, user, password: secrets.password }, ctx.signal);
    // MongoDB creates a database on its first write; until then only the user exists.
    return isNew
      ? `created user ${user} with readWrite on database ${database} only`
      : `user ${user} already existed; reset its password and roles to readWrite on ${database} only`;
  },
};

export const removeMongodb: PipelineStep = {
  name: "remove_mongodb",
  title: "Drop MongoDB user and database",
  timeoutMs: 60_000,
  async run(ctx) {
    const entries = [...(await ctx.ledger.list("mongodb.user")), ...(await ctx.ledger.list("mongodb.database"))];
    if (entries.length === 0) return "nothing to remove: no MongoDB resource was recorded";
    const mongo = ctx.infra.mongodb;
    if (!mongo) throw new Error("MongoDB resources are recorded but no MongoDB cluster is configured (MONGODB_ADMIN_URL)");
    const users = await removeRecorded(ctx, "mongodb.user", (entry) => mongo.dropUser(entry.details.database, entry.externalId, ctx.signal));
    const databases = await removeRecorded(ctx, "mongodb.database", async (entry) => {
      await mongo.dropDatabase(entry.externalId, ctx.signal);
      return { existed: true };
    });
    return `${countRemoved(users, "user")} and dropped ${databases.total} database${databases.total === 1 ? "" : "s"}`;
  },
};
