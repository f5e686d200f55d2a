// `npm run mail-relay`: the instance mail relay as its own process (one per host: it owns a port, unlike the
// workers, of which any number run). Configured by LYCEUM_MAIL_RELAY_* and LYCEUM_SMTP_URL; prints
// "Mail relay listening on host:port" once ready; SIGTERM/SIGINT stop it.
import { readFileSync } from "node:fs";
import { closeDb, db } from "@/db";
import { env } from "@/server/env";
import { logger } from "@/server/observability/logger";
import { mailRelayEndpoint } from "./endpoint";
import { startMailRelay } from "./server";

async function main() {
  const config = env();
  const endpoint = mailRelayEndpoint(config);
  const relay = await startMailRelay({
    db,
    host: endpoint.listen.host,
    port: endpoint.listen.port,
    platformSmtpUrl: config.LYCEUM_SMTP_URL,
    baseDomain: config.LYCEUM_BASE_DOMAIN,
    recipientsPerHour: config.LYCEUM_MAIL_RELAY_RECIPIENTS_PER_HOUR,
    tls:
      config.LYCEUM_MAIL_RELAY_TLS_CERT && config.LYCEUM_MAIL_RELAY_TLS_KEY
        ? { cert: readFileSync(config.LYCEUM_MAIL_RELAY_TLS_CERT), key: readFileSync(config.LYCEUM_MAIL_RELAY_TLS_KEY) }
        : undefined,
  });
  console.log(`Mail relay listening on ${relay.host}:${relay.port} (${endpoint.tls === "starttls" ? "STARTTLS" : "plain SMTP"}); VMs connect to ${endpoint.public.host}:${endpoint.public.port}`);

  let isStopping = false;
  const stop = async () => {
    if (isStopping) return;
    isStopping = true;
    await relay.close();
    await closeDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  logger().error({ err: error }, "the mail relay could not start");
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
