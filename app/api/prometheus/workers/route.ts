// Prometheus http_sd: the metrics endpoints of live worker processes (each records its own address).
import { env } from "@/server/env";
import { checkScrapeAuthorization, scrapeRefusal } from "@/server/observability/scrape-auth";
import { workerScrapeTargets } from "@/server/observability/scrape-targets";

export async function GET(request: Request) {
  const decision = checkScrapeAuthorization(request.headers.get("authorization"), env().LYCEUM_METRICS_TOKEN);
  if (!decision.ok) return scrapeRefusal(decision);
  return Response.json(await workerScrapeTargets());
}
