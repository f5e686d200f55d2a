// Structured JSON logs (pino), one line per event, with the request, job and instance they concern
// (./log-context.ts) and with secrets scrubbed from the finished line (./redact.ts).
import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "@/server/env";
import { currentLogContext } from "./log-context";
import { rememberSecrets, scrubLogLine } from "./redact";

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_KEYS = [
  "password", "passwordHash", "secret", "secrets", "token", "accessToken", "apiKey", "authorization", "cookie",
  "smtpPassword", "privateKey",
];

type LoggerState = { root: Logger | null; destination: DestinationStream | null };
const globalForLogger = globalThis as unknown as { __lyceumLogger?: LoggerState };
const state = (globalForLogger.__lyceumLogger ??= { root: null, destination: null });

function createRootLogger(): Logger {
  const config = env();
  // Configuration secrets are the platform's: scrubbed from every line, even if some code puts one in a message.
  rememberSecrets([
    config.AUTH_SECRET,
    config.LYCEUM_ENCRYPTION_KEY,
    config.STRIPE_SECRET_KEY,
    config.STRIPE_WEBHOOK_SECRET,
    config.LYCEUM_STAFF_PASSWORD,
    config.LYCEUM_METRICS_TOKEN,
    passwordOf(config.LYCEUM_SMTP_URL),
  ].filter((value): value is string => Boolean(value)), { instanceId: null });
  return pino(
    {
      level: config.LYCEUM_LOG_LEVEL,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]), censor: "[redacted]" },
      mixin: () => ({ ...currentLogContext() }),
      hooks: { streamWrite: scrubLogLine },
    },
    state.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The process's logger (created on first use, so `next build` needs no configuration). */
export function logger(): Logger {
  state.root ??= createRootLogger();
  return state.root;
}

/** Sends log lines to `destination` from now on (tests read them back); null restores stdout. */
export function setLogDestination(destination: DestinationStream | null): void {
  state.destination = destination;
  state.root = null;
}

function passwordOf(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).password) || null;
  } catch {
    return null;
  }
}
