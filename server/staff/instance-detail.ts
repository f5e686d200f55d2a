// Everything staff see about one instance: owner, plan and subscription, hostnames, the resource ledger
// (names and ids; the encrypted secrets column is never selected), deployments, operations with their
// steps, the event log and the audit entries.
import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import { deploymentServers, deployments, instanceEvents, instanceOperations, instances, operationSteps, subscriptions, users } from "@/db/schema";
import { PLANS } from "@/server/billing/plans";
import { appServerCountFor } from "@/server/deployments/app-servers";
import { env } from "@/server/env";
import { publicInstance } from "@/server/instances/draft-view";
import { servedHostnames, siteUrlFor } from "@/server/instances/hostnames";
import { instanceLedger } from "@/server/instances/queries";
import { auditEntries } from "./audit";

/** How much of the event log the page starts with; older events stay in the table. */
const STAFF_EVENT_LOG_LIMIT = 5000;

export async function staffInstanceDetail(q: Queryable, id: string) {
  const [row] = await q
    .select({ instance: instances, owner: { id: users.id, email: users.email, name: users.name, createdAt: users.createdAt } })
    .from(instances)
    .innerJoin(users, eq(users.id, instances.ownerId))
    .where(eq(instances.id, id));
  if (!row) return null;
  const { instance, owner } = row;

  const [subscription, ledger, deploymentRows, serverRows, operations, eventsNewestFirst, audit] = await Promise.all([
    q.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, id) }),
    instanceLedger(id),
    q.select().from(deployments).where(eq(deployments.instanceId, id)).orderBy(desc(deployments.createdAt)),
    q.select().from(deploymentServers).where(eq(deploymentServers.instanceId, id)).orderBy(asc(deploymentServers.serverIndex)),
    q.select().from(instanceOperations).where(eq(instanceOperations.instanceId, id)).orderBy(desc(instanceOperations.createdAt)),
    q.select().from(instanceEvents).where(eq(instanceEvents.instanceId, id)).orderBy(desc(instanceEvents.seq)).limit(STAFF_EVENT_LOG_LIMIT),
    auditEntries(q, { instanceId: id, limit: 100 }),
  ]);
  const steps = operations.length
    ? await q
        .select()
        .from(operationSteps)
        .where(inArray(operationSteps.operationId, operations.map((operation) => operation.id)))
        .orderBy(asc(operationSteps.startedAt))
    : [];
  const { LYCEUM_BASE_DOMAIN } = env();
  const active = deploymentRows.find((deployment) => deployment.id === instance.activeDeploymentId) ?? null;
  return {
    instance: publicInstance(instance),
    owner,
    plan: PLANS.find((plan) => plan.id === instance.plan) ?? null,
    subscription: subscription ?? null,
    // A draft has no hostnames until its Domain step is saved.
    hostnames: instance.subdomain ? servedHostnames(instance, LYCEUM_BASE_DOMAIN) : null,
    siteUrl: instance.status === "running" ? siteUrlFor(instance, env(), active?.address ?? null) : null,
    ledger,
    deployments: deploymentRows,
    // How many servers it should run (plan or staff override), and every server of its deployments not terminated.
    appServers: {
      count: appServerCountFor(instance),
      override: instance.appServersOverride,
      // Newest deployment first (as the deployments table), each one's servers by index.
      servers: deploymentRows
        .filter((deployment) => deployment.status !== "terminated")
        .flatMap((deployment) => serverRows.filter((server) => server.deploymentId === deployment.id)),
    },
    operations: operations.map((operation) => ({ ...operation, steps: steps.filter((step) => step.operationId === operation.id) })),
    activeOperation: operations.find((operation) => operation.status === "queued" || operation.status === "running") ?? null,
    events: eventsNewestFirst.reverse(),
    audit,
  };
}
