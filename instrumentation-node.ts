// Node-only start-up: invalid configuration stops the server here, naming the variable; then request
// timing and logging (Node's HTTP diagnostics channels) and the scrape-time gauges are set up.
import { env } from "./server/env";
import { observeHttpRequests } from "./server/observability/http-requests";
import { logger } from "./server/observability/logger";
import { registerWebGauges } from "./server/observability/web-gauges";

try {
  env();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

observeHttpRequests();
registerWebGauges();
logger().info({ service: "web" }, "web process started");
