// The instance's own user on the shared Elasticsearch, allowed only on the indices under its index prefix (skipped
// when the cluster is not shared with security on: ELASTICSEARCH_HOST and ELASTICSEARCH_ADMIN_URL).
import { newServicePassword } from "@/server/crypto/passwords";
import { tenantPrefixes } from "@/server/infra/compute/cloud-init/tutor-config";
import type { PipelineStep } from "../runner/types";
import { countRemoved, removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureElasticsearch: PipelineStep = {
  name: "elasticsearch",
  title: "Create Elasticsearch role and user",
  timeoutMs: 60_000,
  async run(ctx) {
    const search = ctx.infra.elasticsearch;
    if (!search) return "skipped: no shared Elasticsearch with security is configured (set ELASTICSEARCH_HOST and ELASTICSEARCH_ADMIN_URL to give each instance its own user)";
    const { role, user } = resourceNamesOf(ctx).elasticsearch;
    // The same prefix the VM's edx-search names its indices with: the role reaches those and nothing else.
    const { searchIndexPrefix } = tenantPrefixes(ctx.instance.id);
    const indexPattern = `${searchIndexPrefix}*`;
    await ctx.ledger.record("elasticsearch.role", role, { indices: [indexPattern], privileges: ["all"] });
    ctx.signal.throwIfAborted();
    const { secrets } = await ctx.ledger.recordBeforeCreating("elasticsearch.user", user, { roles: [role], indices: [indexPattern] }, () => ({
      password: newServicePassword(),
    }));
    const { isNew } = await search.ensureUser({ user, role, password: secrets.password, indexPrefix: searchIndexPrefix }, ctx.signal);
    return `${isNew ? "created" : "reset"} user ${user} with role ${role}: all on ${indexPattern} only`;
  },
};

export const removeElasticsearch: PipelineStep = {
  name: "remove_elasticsearch",
  title: "Delete Elasticsearch user and role",
  timeoutMs: 60_000,
  async run(ctx) {
    const entries = [...(await ctx.ledger.list("elasticsearch.user")), ...(await ctx.ledger.list("elasticsearch.role"))];
    if (entries.length === 0) return "nothing to remove: no Elasticsearch user was recorded";
    const search = ctx.infra.elasticsearch;
    if (!search) throw new Error("Elasticsearch users are recorded but no admin account is configured (ELASTICSEARCH_ADMIN_URL)");
    const users = await removeRecorded(ctx, "elasticsearch.user", (entry) => search.deleteUser(entry.externalId, ctx.signal));
    const roles = await removeRecorded(ctx, "elasticsearch.role", (entry) => search.deleteRole(entry.externalId, ctx.signal));
    return `${countRemoved(users, "user")} and ${countRemoved(roles, "role")}`;
  },
};
