// Node-only start-up: invalid configuration stops the server here, naming the variable, and development
// shortcuts allowed in production are shouted about; then request timing and logging (Node's HTTP diagnostics
// channels) and the scrape-time gauges are set up.
import { env } from "./server/env";
import { observeHttpRequests } from "./server/observability/http-requests";
import { logger } from "./server/observability/logger";
import { registerWebGauges } from "./server/observability/web-gauges";
import { unsafeShortcutsBanner } from "./server/unsafe-shortcuts";

try {
  env();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const banner = unsafeShortcutsBanner(env().unsafeShortcuts, "web process");
if (banner) {
  console.error(banner);
  logger().warn({ service: "web", unsafeShortcuts: env().unsafeShortcuts.map((shortcut) => shortcut.variable) }, "running with development shortcuts");
}

observeHttpRequests();
registerWebGauges();
logger().info({ service: "web" }, "web process started");
