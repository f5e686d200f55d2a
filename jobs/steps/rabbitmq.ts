// The instance's virtual host and user on the shared RabbitMQ.
import { newServicePassword } from "@/server/crypto/passwords";
import type { PipelineStep } from "../runner/types";
import { countRemoved, removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureRabbitmq: PipelineStep = {
  name: "rabbitmq",
  title: "Create RabbitMQ virtual host and user",
  timeoutMs: 60_000,
  async run(ctx) {
    const rabbit = ctx.infra.rabbitmq;
    const { vhost, user } = resourceNamesOf(ctx).rabbitmq;
    await ctx.ledger.record("rabbitmq.vhost", vhost, { amqpUrl: rabbit.amqpUrl });
    const vhostResult = await rabbit.ensureVhost(vhost, ctx.signal);
    ctx.signal.throwIfAborted();
    const { secrets } = await ctx.ledger.recordBeforeCreating(
      "rabbitmq.user",
      user,
      { vhost, permissions: "configure, write, read on its vhost only" },
      () => ({ password: newServicePassword() }),
    );
    const userResult = await rabbit.ensureUser({ vhost, user, password: secrets.password }, ctx.signal);
    return `${vhostResult.isNew ? "created" : "found"} vhost ${vhost} and ${userResult.isNew ? "created" : "reset"} user ${user}, allowed on that vhost only`;
  },
};

export const removeRabbitmq: PipelineStep = {
  name: "remove_rabbitmq",
  title: "Delete RabbitMQ user and virtual host",
  timeoutMs: 60_000,
  async run(ctx) {
    const rabbit = ctx.infra.rabbitmq;
    const users = await removeRecorded(ctx, "rabbitmq.user", (entry) => rabbit.deleteUser(entry.externalId, ctx.signal));
    const vhosts = await removeRecorded(ctx, "rabbitmq.vhost", (entry) => rabbit.deleteVhost(entry.externalId, ctx.signal));
    return `${countRemoved(users, "user")} and ${countRemoved(vhosts, "vhost")}`;
  },
};
