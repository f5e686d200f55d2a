// Checks a custom domain's DNS records, records the outcome on the instance (and in its event log, which
// streams to the page), and schedules the next check with back-off until verified or 72 hours have passed.
import type { Task } from "graphile-worker";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { displayDomain } from "@/server/domains/display";
import { requiredDnsRecords } from "@/server/domains/dns-records";
import { nextCheckDelayMs, scheduleNextDomainCheck, VERIFY_FOR_MS } from "@/server/domains/verification-jobs";
import { checkDomainRecords, makeResolver } from "@/server/domains/verify";
import { env } from "@/server/env";
import { appendInstanceEvent } from "@/server/instances/events";
import { startApplyingChanges } from "@/server/instances/apply-changes";
import { OperationInProgressError } from "@/server/instances/operations";
import { jobPayloads } from "@/server/queue/payloads";

export const verify_domain: Task = async (payload, helpers) => {
  const { instanceId, domain } = jobPayloads.verify_domain.parse(payload);
  const instance = await db.query.instances.findFirst({ where: eq(instances.id, instanceId) });
  // Removed, replaced by another domain, or already decided: nothing to check.
  if (!instance || instance.customDomain !== domain || !instance.subdomain || instance.customDomainStatus !== "pending") return;

  const config = env();
  const records = requiredDnsRecords(
    { subdomain: instance.subdomain, customDomain: domain, domainChallengeToken: instance.domainChallengeToken },
    { baseDomain: config.LYCEUM_BASE_DOMAIN, ingressIpv4: config.LYCEUM_INGRESS_IPV4 },
  );
  let problem: string | null = null;
  try {
    const check = await checkDomainRecords(makeResolver(config.LYCEUM_DNS_RESOLVER), records);
    problem = check.isVerified ? null : check.problems.join("; ");
  } catch (error) {
    problem = (error as Error).message;
  }

  const now = new Date();
  const elapsedMs = now.getTime() - (instance.customDomainSince ?? now).getTime();
  const isGivingUp = problem !== null && elapsedMs >= VERIFY_FOR_MS;
  const status = problem === null ? "verified" : isGivingUp ? "failed" : "pending";
  const shown = displayDomain(domain);
  await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(instances)
      .set({ customDomainStatus: status, customDomainProblem: problem, customDomainCheckedAt: now })
      .where(eq(instances.id, instanceId))
      .returning({ customDomain: instances.customDomain });
    if (updated?.customDomain !== domain) return;
    await appendInstanceEvent(tx, {
      instanceId,
      kind: "log",
      level: status === "verified" ? "success" : status === "failed" ? "error" : "info",
      message:
        status === "verified"
          ? `${shown} is verified: its DNS records are right.`
          : status === "failed"
            ? `${shown} could not be verified in 72 hours: ${problem}. Fix the records, then check again.`
            : `${shown} is not verified yet: ${problem}. Checking again soon.`,
      data: { customDomain: { domain, status, problem, checkedAt: now.toISOString() } },
    });
    if (status === "pending") await scheduleNextDomainCheck(tx, instanceId, domain, new Date(now.getTime() + nextCheckDelayMs(elapsedMs)));
    // A live site moves to its verified domain through the reconfigure pipeline (which renders the hostnames), or a
    // redeploy where the compute driver cannot change a running server; both get the domain's certificate first.
    if (status === "verified" && instance.status === "running") {
      try {
        await startApplyingChanges(tx, { instanceId, initiator: "system", reason: `custom domain ${domain} verified` });
      } catch (error) {
        if (!(error instanceof OperationInProgressError)) throw error;
        await appendInstanceEvent(tx, {
          instanceId,
          kind: "log",
          level: "warn",
          message: `${shown} will be served after the ${error.kind} in progress: apply your settings once it has finished.`,
        });
      }
    }
  });
  helpers.logger.info(`custom domain ${domain} of ${instanceId}: ${status}${problem ? ` (${problem})` : ""}`);
};
