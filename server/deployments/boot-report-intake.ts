// The portal's side of POST /api/deployments/<id>/boot-phases: a deployment's server (an OVH VM, or the local
// process standing in for one) reporting a phase of its boot. Anyone on the internet can reach it, so the
// address is rate-limited before anything else, the token is checked before the body is read, and the body is
// capped and parsed before anything is stored.
import { db } from "@/db";
import { readBodyOrRefusal } from "@/server/http/read-body-capped";
import { clientAddressOf } from "@/server/net/client-address";
import { abuseRules, enforceRateLimits } from "@/server/rate-limit/abuse-limits";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";
import { bootPhaseReportSchema, MAX_BOOT_REPORT_BODY_BYTES, recordBootPhase } from "./boot-phases";
import { authenticateBootReport } from "./boot-report-token";

const HOUR = 60 * 60_000;

/**
 * A boot sends two reports per phase (a dozen); a VM that retries each a few times stays far below. An address is
 * allowed more: a NAT may front many VMs, and the portal's own machine fronts every local deployment.
 */
const BOOT_REPORT_LIMITS = {
  perAddress: { limit: 1000, windowMs: HOUR },
  perDeployment: { limit: 120, windowMs: HOUR },
} as const;

export async function receiveBootReport(request: Request, deploymentId: string): Promise<Response> {
  try {
    await limit([["address", clientAddressOf(request.headers), BOOT_REPORT_LIMITS.perAddress]]);
    const token = /^Bearer (\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) return Response.json({ error: "Missing bearer token" }, { status: 401, headers: { "www-authenticate": "Bearer" } });
    const deployment = await authenticateBootReport(db, deploymentId, token);
    if (!deployment) return Response.json({ error: "This token does not report for this deployment" }, { status: 403 });
    const read = await readBodyOrRefusal(request, MAX_BOOT_REPORT_BODY_BYTES);
    if (read.refusal) return read.refusal;
    let json: unknown;
    try {
      json = JSON.parse(read.body.toString("utf8"));
    } catch {
      return Response.json({ error: "The body is not JSON" }, { status: 400 });
    }
    const report = bootPhaseReportSchema.safeParse(json);
    if (!report.success) return Response.json({ error: "Invalid boot phase report", issues: report.error.issues }, { status: 400 });
    await limit([["deployment", deployment.id, BOOT_REPORT_LIMITS.perDeployment]]);
    await recordBootPhase(db, deployment, report.data);
    return new Response(null, { status: 204 });
  } catch (error) {
    if (error instanceof RateLimitedError) {
      return Response.json({ error: error.message }, { status: 429, headers: { "retry-after": String(error.retryAfterSeconds) } });
    }
    throw error;
  }
}

/** Counts the attempt under the scopes whose value is known (no client address: nothing to count it under). */
async function limit(scopes: Parameters<typeof abuseRules>[1]) {
  const rules = abuseRules("boot-report", scopes);
  if (rules.length > 0) await enforceRateLimits("boot reports", rules);
}
