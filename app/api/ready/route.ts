// Readiness for the load balancer: 200 when the database answers and a worker is alive, else 503 and why.
import { db } from "@/db";
import { checkReadiness } from "@/server/observability/readiness";

export async function GET() {
  const readiness = await checkReadiness(db);
  return Response.json(
    { status: readiness.isReady ? "ready" : "not ready", database: readiness.database, liveWorkers: readiness.liveWorkers, problems: readiness.problems },
    { status: readiness.isReady ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
