// Prometheus http_sd: one target group per running instance (README.md, "Prometheus").
import { env } from "@/server/env";
import { checkScrapeAuthorization, scrapeRefusal } from "@/server/observability/scrape-auth";
import { instanceScrapeTargets } from "@/server/observability/scrape-targets";

export async function GET(request: Request) {
  const decision = checkScrapeAuthorization(request.headers.get("authorization"), env().LYCEUM_METRICS_TOKEN);
  if (!decision.ok) return scrapeRefusal(decision);
  return Response.json(await instanceScrapeTargets());
}
