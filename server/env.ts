// Configuration, parsed once by zod: a missing or malformed variable stops start-up with its name.
import { z } from "zod";
import { RESOURCE_PREFIX_PATTERN } from "@/server/instances/resource-names";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

const DEVELOPMENT_WEBHOOK_SECRET = "whsec_lyceum_local_development_only";

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "is required: a postgres:// connection URL (npm run dev starts an embedded Postgres when unset)" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  AUTH_SECRET: z
    .string({ error: "is required: a random string of at least 32 characters (npm run dev generates one)" })
    .min(32, "must be at least 32 characters"),
  /** 32 random bytes, base64: encrypts secrets at rest (AES-256-GCM). npm run dev generates one. */
  LYCEUM_ENCRYPTION_KEY: z
    .string({ error: "is required: 32 random bytes in base64, e.g. `openssl rand -base64 32`" })
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes encoded in base64 (openssl rand -base64 32)"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Where browsers reach the portal; links in emails and Stripe return URLs are built from it. */
  LYCEUM_PUBLIC_URL: z.url().optional(),
  /** Where the portal's own server processes reach it (the local checkout posts its webhook here). */
  LYCEUM_INTERNAL_URL: z.url().optional(),
  /** Instances are served at <subdomain>.<base domain>. `localhost` resolves to loopback in browsers. */
  LYCEUM_BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "must be a lower-case domain name")
    .default("localhost"),
  /** Local drivers' state (embedded Postgres data, local VM processes' logs and pid files). */
  LYCEUM_STATE_DIR: z.string().default(".lyceum"),
  /** The platform's SMTP relay, as a URL: smtp://user:pass@host:587 (STARTTLS) or smtps://… (TLS). */
  LYCEUM_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .default("smtp://127.0.0.1:1025"),
  LYCEUM_MAIL_FROM: z.string().min(3).default("Lyceum <no-reply@lyceum.localhost>"),
  /** The DNS server custom domains are checked through ("host" or "host:port"); the system's when unset. */
  LYCEUM_DNS_RESOLVER: optionalString,
  /** The address clients point an A record at when a CNAME is not possible (a zone apex). */
  LYCEUM_INGRESS_IPV4: z.ipv4({ error: "must be an IPv4 address" }).default("127.0.0.1"),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: z.string().min(1).default(DEVELOPMENT_WEBHOOK_SECRET),
  /** Stripe price ids of the plans (server/billing/plans.ts); needed with STRIPE_SECRET_KEY. */
  STRIPE_PRICE_STARTER: optionalString,
  STRIPE_PRICE_GROWTH: optionalString,
  STRIPE_PRICE_SCALE: optionalString,
  /** Points the Stripe SDK at another host (the contract tests' loopback server). */
  STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
  /** Days between a failed payment and the instance's suspension, unless it is paid meanwhile. */
  BILLING_GRACE_PERIOD_DAYS: z.coerce.number().min(0).default(7),
  /** Days an ended subscription's instance is kept (suspended) before it is deprovisioned. */
  BILLING_RETENTION_DAYS: z.coerce.number().min(0).default(30),
  COMPUTE_DRIVER: z.enum(["local"]).default("local"),
  /** Starts every external resource name (databases, users, vhosts, buckets): one per portal sharing a cluster. */
  LYCEUM_RESOURCE_PREFIX: z
    .string()
    .regex(RESOURCE_PREFIX_PATTERN, "must be a lower-case letter followed by at most 5 letters or digits")
    .default("lyc"),
  /** An account on the shared MySQL cluster that may create databases and users (and grant on them). */
  MYSQL_ADMIN_URL: z
    .string()
    .regex(/^mysql:\/\//, "must be a mysql:// URL, e.g. mysql://root@127.0.0.1:3306")
    .default("mysql://root@127.0.0.1:3306"),
  /** The host part of the instances' MySQL accounts ('user'@'host'): where their application servers connect from. */
  MYSQL_USER_HOST: z.string().min(1).default("%"),
  /** An account on the shared MongoDB cluster that may create users; unset, the MongoDB step is skipped. */
  MONGODB_ADMIN_URL: optionalString.pipe(
    z.string().regex(/^mongodb(\+srv)?:\/\//, "must be a mongodb:// or mongodb+srv:// URL").optional(),
  ),
  /** RabbitMQ's management HTTP API, with an administrator's credentials. */
  RABBITMQ_MANAGEMENT_URL: z.url().default("http://guest:guest@127.0.0.1:15672"),
  /** Where instances reach RabbitMQ over AMQP (credentials are per instance, added to it). */
  RABBITMQ_AMQP_URL: z
    .string()
    .regex(/^amqps?:\/\//, "must be an amqp:// or amqps:// URL")
    .default("amqp://127.0.0.1:5672"),
  /** Honour rows in fault_injections (tests and the e2e server only; never set it in production). */
  LYCEUM_ENABLE_FAULT_INJECTION: z
    .enum(["0", "1", ""])
    .default("0")
    .transform((value) => value === "1"),
  /** An S3-compatible endpoint (http://127.0.0.1:9000); unset: AWS S3. `npm run dev` starts a local server. */
  S3_ENDPOINT: optionalString.pipe(z.url("must be a URL such as http://127.0.0.1:9000").optional()),
  S3_REGION: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be a region name such as us-east-1").default("us-east-1"),
  /** The platform's key pair; both unset: the AWS SDK's default credential chain (instance role, ~/.aws). */
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  /** http://endpoint/bucket/key instead of http://bucket.endpoint/key. Default: true with S3_ENDPOINT, else false. */
  S3_FORCE_PATH_STYLE: optionalString.pipe(z.enum(["true", "false", "1", "0"], "must be true or false").optional()),
  /**
   * Whose buckets and keys the instances get: `local` (the local S3 server at S3_ENDPOINT, keys from its admin
   * API) or `aws` (AWS S3, an IAM user per instance). Default: local with S3_ENDPOINT, else aws.
   */
  OBJECT_STORAGE_DRIVER: optionalString.pipe(z.enum(["local", "aws"], "must be local or aws").optional()),
  /** Points the IAM client elsewhere (the contract tests' loopback server). Default: AWS IAM. */
  AWS_IAM_ENDPOINT: optionalString.pipe(z.url().optional()),
  /** The platform's bucket for client uploads (logos, favicons). */
  LYCEUM_ASSETS_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)")
    .default("lyceum-assets"),
  /**
   * What stands in front of the instances: `none` (each local site server answers for itself and shows the
   * maintenance page on its own), `haproxy` (a local HAProxy whose files live in LYCEUM_STATE_DIR/load-balancer;
   * `npm run dev` starts it when installed) or `consul` (the configuration is published to Consul's KV store,
   * which the production HAProxy nodes follow).
   */
  LOAD_BALANCER_DRIVER: z.enum(["none", "haproxy", "consul"], "must be none, haproxy or consul").default("none"),
  HAPROXY_BIN: z.string().min(1).default("/usr/sbin/haproxy"),
  /** The address HAProxy listens on (0.0.0.0 in production). */
  HAPROXY_BIND_HOST: z.string().min(1).default("127.0.0.1"),
  HAPROXY_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  /** 0: no HTTPS listener. */
  HAPROXY_HTTPS_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  /** host:port where HAProxy reaches the portal (ACME challenges, unknown names). Default: 127.0.0.1:PORT. */
  LOAD_BALANCER_PORTAL_ADDRESS: optionalString.pipe(
    z.string().regex(/^[a-zA-Z0-9.-]+:\d{1,5}$/, "must be host:port, e.g. 10.0.0.5:3000").optional(),
  ),
  /** The Consul agent's HTTP API (LOAD_BALANCER_DRIVER=consul), e.g. http://127.0.0.1:8500. */
  CONSUL_URL: optionalString.pipe(z.url().optional()),
  /** An ACL token with key:write on CONSUL_KV_PREFIX. */
  CONSUL_TOKEN: optionalString,
  CONSUL_KV_PREFIX: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, "must look like lyceum/load-balancer").default("lyceum/load-balancer"),
  /** Where the production HAProxy nodes keep the published files (the configuration refers to paths below it). */
  HAPROXY_NODE_DIR: z.string().regex(/^\/[\w./-]*$/, "must be an absolute path").default("/etc/haproxy/lyceum"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How long one pipeline step may run before it fails with "timed out after N s". */
  STEP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Seeded staff account for `npm run dev`; a password is generated and printed when unset. */
  LYCEUM_STAFF_EMAIL: z.email().default("staff@lyceum.localhost"),
  LYCEUM_STAFF_PASSWORD: optionalString.pipe(z.string().min(10, "must be at least 10 characters").optional()),
  /** Who is emailed when a pipeline fails after its last retry: comma-separated; unset means the staff email. */
  LYCEUM_STAFF_ALERT_EMAILS: optionalString.pipe(
    z
      .string()
      .transform((value) => value.split(",").map((address) => address.trim()).filter(Boolean))
      .pipe(z.array(z.email("must be a comma-separated list of email addresses")))
      .optional(),
  ),
  LYCEUM_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Bearer token Prometheus sends to /api/metrics, the worker's metrics port and the http_sd endpoints. */
  LYCEUM_METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  /** Where each worker serves its own /metrics (port 0: any free port; the worker records it for http_sd). */
  LYCEUM_WORKER_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  LYCEUM_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

export type Env = z.infer<typeof envSchema> & {
  BILLING_DRIVER: "stripe" | "local";
  publicUrl: string;
  internalUrl: string;
  staffAlertEmails: string[];
};

export class ConfigurationError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const parsed = result.data;
  if (parsed.STRIPE_SECRET_KEY) {
    // With Stripe on, checkout needs every plan's price and the webhook needs the endpoint's own secret.
    const missing = (["STRIPE_PRICE_STARTER", "STRIPE_PRICE_GROWTH", "STRIPE_PRICE_SCALE"] as const).filter((name) => !parsed[name]);
    const lines = missing.map((name) => `  ${name}: is required with STRIPE_SECRET_KEY: the Stripe price id (price_…) of that plan`);
    if (parsed.STRIPE_WEBHOOK_SECRET === DEVELOPMENT_WEBHOOK_SECRET) {
      lines.push("  STRIPE_WEBHOOK_SECRET: is required with STRIPE_SECRET_KEY: the signing secret (whsec_…) of the webhook endpoint");
    }
    if (lines.length) throw new ConfigurationError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (parsed.LOAD_BALANCER_DRIVER === "consul" && !parsed.CONSUL_URL) {
    throw new ConfigurationError("Invalid configuration:\n  CONSUL_URL: is required with LOAD_BALANCER_DRIVER=consul: the Consul agent's HTTP API, e.g. http://127.0.0.1:8500");
  }
  if (Boolean(parsed.S3_ACCESS_KEY_ID) !== Boolean(parsed.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigurationError("Invalid configuration:\n  S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both or neither");
  }
  return {
    ...parsed,
    BILLING_DRIVER: parsed.STRIPE_SECRET_KEY ? "stripe" : "local",
    publicUrl: (parsed.LYCEUM_PUBLIC_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, ""),
    internalUrl: (parsed.LYCEUM_INTERNAL_URL ?? `http://127.0.0.1:${parsed.PORT}`).replace(/\/$/, ""),
    staffAlertEmails: parsed.LYCEUM_STAFF_ALERT_EMAILS ?? [parsed.LYCEUM_STAFF_EMAIL],
  };
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use (so `next build` needs none of it). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
