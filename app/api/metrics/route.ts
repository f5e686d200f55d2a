// Prometheus metrics of this web process (README.md, "Metrics"), behind the bearer token.
import { env } from "@/server/env";
import { metrics } from "@/server/observability/metrics";
import { checkScrapeAuthorization, scrapeRefusal } from "@/server/observability/scrape-auth";
import { registerWebGauges } from "@/server/observability/web-gauges";

export async function GET(request: Request) {
  const decision = checkScrapeAuthorization(request.headers.get("authorization"), env().LYCEUM_METRICS_TOKEN);
  if (!decision.ok) return scrapeRefusal(decision);
  registerWebGauges();
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
}
