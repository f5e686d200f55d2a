// Readiness for the load balancer: 200 when the database answers and a worker is alive, else 503 naming the
// checks that failed. The answer is public, so what went wrong (error text, addresses, names) goes to the log.
import { logger } from "@/server/observability/logger";
import { checkReadiness } from "@/server/observability/readiness";

/** The problems last logged: the load balancer polls every few seconds, the log says each change once. */
let lastLoggedProblems = "";

export async function GET() {
  const readiness = await checkReadiness();
  const problems = readiness.problems.join("; ");
  if (problems !== lastLoggedProblems) {
    lastLoggedProblems = problems;
    if (problems) logger().warn({ problems: readiness.problems, liveWorkers: readiness.liveWorkers }, `not ready: ${problems}`);
    else logger().info({ liveWorkers: readiness.liveWorkers }, "ready again");
  }
  return Response.json(
    { status: readiness.isReady ? "ready" : "not ready", failedChecks: readiness.failedChecks },
    { status: readiness.isReady ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
