// Configuration, parsed once by zod: a missing or malformed variable stops start-up with its name.
import { z } from "zod";
import { RESOURCE_PREFIX_PATTERN } from "@/server/instances/resource-names";
import { PUBLISHED_WEBHOOK_SECRET, unallowedShortcutProblems, unsafeShortcutsInUse, type UnsafeShortcut } from "@/server/unsafe-shortcuts";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === "" ? undefined : v));

/** "1" allows one development shortcut under NODE_ENV=production (server/unsafe-shortcuts.ts). */
const unsafeAllowance = (what: string) =>
  z
    .enum(["0", "1", ""], `must be 1 (allow ${what} in production) or unset`)
    .default("0")
    .transform((value) => value === "1");

export const envSchema = z.object({
  /**
   * `production` under `npm start`, `npm run worker` and the e2e server; there, start-up refuses the development
   * shortcuts unless their LYCEUM_UNSAFE_* variable allows them.
   */
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /**
   * PostgreSQL for the portal and the job queue. Required for `npm start` and `npm run worker`.
   * @default embedded Postgres (dev, tests)
   */
  DATABASE_URL: z
    .string({ error: "is required: a postgres:// connection URL (npm run dev starts an embedded Postgres when unset)" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  /**
   * Signs session cookies (Auth.js). At least 32 characters.
   * @default generated (dev)
   */
  AUTH_SECRET: z
    .string({ error: "is required: a random string of at least 32 characters (npm run dev generates one)" })
    .min(32, "must be at least 32 characters"),
  /**
   * 32 bytes, base64 (`openssl rand -base64 32`): encrypts secrets at rest (AES-256-GCM).
   * @default generated (dev)
   */
  LYCEUM_ENCRYPTION_KEY: z
    .string({ error: "is required: 32 random bytes in base64, e.g. `openssl rand -base64 32`" })
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes encoded in base64 (openssl rand -base64 32)"),
  /**
   * Web port. `npm run dev` refuses to start when it is taken and says so.
   * @default `3000`
   */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /**
   * Where browsers reach the portal (links, Stripe return URLs).
   * @default `http://localhost:$PORT`
   */
  LYCEUM_PUBLIC_URL: z.url().optional(),
  /**
   * Where the portal's own processes reach it (the offline billing driver's worker job delivers its webhook events
   * here).
   * @default `http://127.0.0.1:$PORT`
   */
  LYCEUM_INTERNAL_URL: z.url().optional(),
  /**
   * Instances are served at `<subdomain>.<base domain>`.
   * @default `localhost`
   */
  LYCEUM_BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "must be a lower-case domain name")
    .default("localhost"),
  /**
   * Local drivers' state: embedded Postgres data, local instance servers' pid files and logs.
   * @default `.lyceum`
   */
  LYCEUM_STATE_DIR: z.string().default(".lyceum"),
  /**
   * The platform's mail relay (AuthSMTP in production): `smtp://user:pass@host:587` (STARTTLS) or `smtps://…`
   * (TLS). Sign-up confirmations, password resets and instances on the *Lyceum relay* option send through it.
   * Unset in `npm run dev`: maildev catches every message and shows it in a web inbox whose address is printed.
   * @default a local catcher (dev)
   */
  LYCEUM_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .default("smtp://127.0.0.1:1025"),
  /**
   * Sender of the portal's own emails.
   * @default `Lyceum <no-reply@lyceum.localhost>`
   */
  LYCEUM_MAIL_FROM: z.string().min(3).default("Lyceum <no-reply@lyceum.localhost>"),
  /**
   * host:port where the instance mail relay listens (`npm run mail-relay`; `npm run dev` starts it). Instances on
   * the platform's relay send through it with a credential of their own; it forwards through LYCEUM_SMTP_URL,
   * whose password never leaves the platform.
   */
  LYCEUM_MAIL_RELAY_LISTEN: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s[\]:/]+):[1-9]\d{0,4}$/, "must be host:port with a port from 1 to 65535, e.g. 0.0.0.0:587")
    .refine((value) => Number(value.split(":").pop()) <= 65535, "must be host:port with a port from 1 to 65535, e.g. 0.0.0.0:587")
    .default("127.0.0.1:2525"),
  /** host or host:port the VMs connect to for the instance mail relay; default: LYCEUM_MAIL_RELAY_LISTEN (port: its port). */
  LYCEUM_MAIL_RELAY_PUBLIC_HOST: optionalString.pipe(
    z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s[\]:/]+)(:\d{1,5})?$/, "must be a host name or address, optionally with :port, e.g. relay.lyceum.example:587")
      .optional(),
  ),
  /**
   * PEM certificate and key files for the relay's STARTTLS. Set both: the relay then refuses AUTH before
   * STARTTLS and the VMs are configured to use it. Unset: plain SMTP, only for a private network.
   */
  LYCEUM_MAIL_RELAY_TLS_CERT: optionalString,
  /** The private key (PEM file) of LYCEUM_MAIL_RELAY_TLS_CERT. */
  LYCEUM_MAIL_RELAY_TLS_KEY: optionalString,
  /** Recipients one instance may send to through the relay in any hour (one compromised VM cannot spam at will). */
  LYCEUM_MAIL_RELAY_RECIPIENTS_PER_HOUR: z.coerce.number().int().min(1).default(1000),
  /**
   * DNS server (`host` or `host:port`) through which clients' custom domains are checked. The tests point it at a
   * DNS server on loopback.
   * @default the system's resolvers
   */
  LYCEUM_DNS_RESOLVER: optionalString,
  /**
   * The address a client's A record points to where a CNAME is impossible (a domain's apex); shown with the DNS
   * records.
   * @default `127.0.0.1`
   */
  LYCEUM_INGRESS_IPV4: z.ipv4({ error: "must be an IPv4 address" }).default("127.0.0.1"),
  /**
   * Where instances' A records are published: `local` (a file, for `*.localhost` only), `gandi` (Gandi LiveDNS) or
   * `challtestsrv` (pebble-challtestsrv, tests). A hosting domain other than `*.localhost` needs `gandi`.
   * @default `local`
   */
  DNS_DRIVER: z.enum(["local", "gandi", "challtestsrv"], "must be local, gandi or challtestsrv").default("local"),
  /**
   * The DNS zone that holds the hosting domain (e.g. `example.com` for `edu.example.com`).
   * @default `LYCEUM_BASE_DOMAIN`
   */
  DNS_ZONE: optionalString,
  /**
   * Gandi LiveDNS API base (the contract test points it at loopback).
   * @default `https://api.gandi.net/v5/livedns`
   */
  GANDI_API_URL: z.url().default("https://api.gandi.net/v5/livedns"),
  /**
   * A Gandi personal access token allowed to manage the zone's records. Required with `DNS_DRIVER=gandi`.
   * @default unset
   */
  GANDI_TOKEN: optionalString,
  /**
   * pebble-challtestsrv's management API (`http://127.0.0.1:8055`). Required with `DNS_DRIVER=challtestsrv`.
   * @default unset
   */
  CHALLTESTSRV_URL: optionalString.pipe(z.url().optional()),
  /**
   * An ACME directory: `https://acme-v02.api.letsencrypt.org/directory` in production (staging:
   * `https://acme-staging-v02.api.letsencrypt.org/directory`). Unset, certificates are self-signed (development).
   * @default unset: self-signed
   */
  ACME_DIRECTORY_URL: optionalString.pipe(z.url().optional()),
  /**
   * The ACME account's contact address (expiry notices from the CA).
   * @default `LYCEUM_STAFF_EMAIL`
   */
  ACME_EMAIL: optionalString.pipe(z.email().optional()),
  /**
   * A PEM file of extra CAs trusted for the ACME directory only (Pebble's listener); the rest of the process keeps
   * the system's trust.
   * @default unset
   */
  ACME_CA_CERTS: optionalString,
  /**
   * A PEM file of extra root CAs a client's own certificate may chain up to, besides Node's public roots: a test
   * CA in tests. Leave unset in production, where a client's certificate must come from a public CA.
   */
  LYCEUM_CLIENT_CERT_EXTRA_CAS: optionalString,
  /**
   * Set it to bill through Stripe (`sk_live_…` / `sk_test_…`, or a restricted key, see [Billing](#billing));
   * unset, the offline billing driver is used.
   * @default unset
   */
  STRIPE_SECRET_KEY: optionalString,
  /**
   * Verifies `Stripe-Signature` on `/api/stripe/webhook` (`whsec_…`). Required with `STRIPE_SECRET_KEY`: the
   * signing secret of your webhook endpoint.
   * @default generated (dev)
   */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).default(PUBLISHED_WEBHOOK_SECRET),
  /**
   * Stripe price ids (`price_…`) of the plans in `server/billing/plans.ts`. Required with `STRIPE_SECRET_KEY`.
   * @default unset
   */
  STRIPE_PRICE_STARTER: optionalString,
  /**
   * Stripe price ids (`price_…`) of the plans in `server/billing/plans.ts`. Required with `STRIPE_SECRET_KEY`.
   * @default unset
   */
  STRIPE_PRICE_GROWTH: optionalString,
  /**
   * Stripe price ids (`price_…`) of the plans in `server/billing/plans.ts`. Required with `STRIPE_SECRET_KEY`.
   * @default unset
   */
  STRIPE_PRICE_SCALE: optionalString,
  /**
   * Points the Stripe SDK elsewhere (the contract tests' loopback server).
   * @default Stripe's API
   */
  STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
  /**
   * Days between a failed payment and the instance's suspension, unless the invoice is paid meanwhile.
   * @default `7`
   */
  BILLING_GRACE_PERIOD_DAYS: z.coerce.number().min(0).default(7),
  /**
   * Days an instance whose subscription ended stays suspended (data kept) before it is deprovisioned. Staff can
   * call the deprovisioning off.
   * @default `30`
   */
  BILLING_RETENTION_DAYS: z.coerce.number().min(0).default(30),
  /**
   * Days a suspended instance keeps its servers running (a resume is then instant) before they are stopped (OVH:
   * shelved, so they stop costing compute); resuming starts them again. Visitors see the maintenance page either way.
   * @default `3`
   */
  SUSPENDED_SERVERS_STOP_AFTER_DAYS: z.coerce.number().min(0).default(3),
  /**
   * Seconds an application server may fail its health checks (checked every minute by `check_app_servers`) before
   * it is replaced by a new one. The load balancer stops sending it visitors within seconds regardless.
   * @default `180`
   */
  APP_SERVER_REPLACE_AFTER_SECONDS: z.coerce.number().int().min(0).default(180),
  /**
   * Seconds between two reads of HAProxy's request counters by the autoscaler (plans with `autoscale`,
   * server/deployments/autoscale.ts); each read is one sample of every instance's rate and response time.
   * @default `15`
   */
  AUTOSCALE_SAMPLE_SECONDS: z.coerce.number().min(0.2).default(15),
  /**
   * Seconds an instance's load must stay above its plan's scale-out threshold before a server is added.
   * @default `180`
   */
  AUTOSCALE_OUT_AFTER_SECONDS: z.coerce.number().min(0).default(180),
  /**
   * Seconds an instance's load must stay below its plan's scale-in threshold before a server is removed (longer than
   * scaling out: a lull between two classes should not cost the next class its server).
   * @default `900`
   */
  AUTOSCALE_IN_AFTER_SECONDS: z.coerce.number().min(0).default(900),
  /**
   * Seconds a server leaving an instance (scaled in, or replaced) is given to finish the requests it is answering: it
   * is put into maintenance on every HAProxy first (no new request reaches it), and destroyed once none has a session
   * on it, or after this long.
   * @default `120`
   */
  SCALE_IN_DRAIN_SECONDS: z.coerce.number().min(0).max(3600).default(120),

  /**
   * Hours an upgraded instance keeps its old deployment (on the old release) as the fallback a rollback switches back
   * to; then a sweep retires it and the upgrade can no longer be rolled back.
   * @default `72`
   */
  UPGRADE_FALLBACK_HOURS: z.coerce.number().min(0).default(72),
  /**
   * Days an instance on an end-of-life release is given, from the email that tells its owner, to upgrade itself;
   * after them Lyceum upgrades it to the default release in its upgrade window.
   * @default `30`
   */
  END_OF_LIFE_NOTICE_DAYS: z.coerce.number().min(0).default(30),
  /**
   * Where instances run: `local` processes on this machine, or `ovh` Public Cloud VMs (see [OVH
   * compute](#ovh-compute)).
   * @default `local`
   */
  COMPUTE_DRIVER: z.enum(["local", "ovh"], "must be local or ovh").default("local"),
  /**
   * With `COMPUTE_DRIVER=local`: how long the local site takes over each boot phase it reports (cloud-init, docker,
   * images, launch, migrations, health), in milliseconds, so the phases can be watched on the instance page as a
   * VM's would be. The end-to-end suite sets it; 0 boots at once.
   * @default `0`
   */
  LOCAL_SITE_BOOT_PHASE_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /**
   * The OVH API (`ovh-eu`, `ovh-ca`, `ovh-us`…, or an `https://` URL with its base path) and the application's
   * credentials. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_ENDPOINT: optionalString.pipe(
    z
      .string()
      .regex(/^([a-z]+-[a-z]+|https:\/\/[^/\s]+\/\S*)$/, "must be an OVH endpoint name such as ovh-eu, or an https:// URL such as https://eu.api.ovh.com/1.0")
      .optional(),
  ),
  /**
   * The OVH API (`ovh-eu`, `ovh-ca`, `ovh-us`…, or an `https://` URL with its base path) and the application's
   * credentials. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_APPLICATION_KEY: optionalString,
  /**
   * The OVH API (`ovh-eu`, `ovh-ca`, `ovh-us`…, or an `https://` URL with its base path) and the application's
   * credentials. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_APPLICATION_SECRET: optionalString,
  /**
   * The OVH API (`ovh-eu`, `ovh-ca`, `ovh-us`…, or an `https://` URL with its base path) and the application's
   * credentials. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_CONSUMER_KEY: optionalString,
  /**
   * The Public Cloud project, region (e.g. `GRA11`), image (Ubuntu 24.04) and staff SSH key the VMs are created
   * with. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_PROJECT_ID: optionalString,
  /**
   * The Public Cloud project, region (e.g. `GRA11`), image (Ubuntu 24.04) and staff SSH key the VMs are created
   * with. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_REGION: optionalString,
  /**
   * A VM boots with its plan's flavor (`vmFlavor` in `server/billing/plans.ts`, e.g. `b3-16`), looked up by name
   * in `OVH_REGION`; this flavor id is used only for a deployment whose configuration names none.
   * @default unset
   */
  OVH_FLAVOR_ID: optionalString,
  /**
   * The Public Cloud project, region (e.g. `GRA11`), image (Ubuntu 24.04) and staff SSH key the VMs are created
   * with. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_IMAGE_ID: optionalString,
  /**
   * The Public Cloud project, region (e.g. `GRA11`), image (Ubuntu 24.04) and staff SSH key the VMs are created
   * with. Required with `COMPUTE_DRIVER=ovh`.
   * @default unset
   */
  OVH_SSH_KEY_ID: optionalString,
  /**
   * How long an OVH VM may stay in `BUILD` before its boot attempt fails. Waiting on OVH's build is polling, not
   * failing: the boot step allows at least this long and spends no retry on a slow build.
   * @default `1800`
   */
  OVH_BUILD_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(1800),
  /**
   * While an OVH VM builds, the instance's event log says "still building after N s" this often.
   * @default `60`
   */
  OVH_BUILD_PROGRESS_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * A shared Elasticsearch (`host:port` or `http(s)://host:port`) and memcached (`host:port`) for the instances'
   * VMs.
   * @default unset: on each VM
   */
  ELASTICSEARCH_HOST: optionalString.pipe(
    z.string().regex(/^(https?:\/\/)?[a-z0-9.-]+(:\d{1,5})?$/i, "must be host, host:port or http(s)://host:port").optional(),
  ),
  /**
   * A shared Elasticsearch (`host:port` or `http(s)://host:port`) and memcached (`host:port`) for the instances'
   * VMs.
   * @default unset: on each VM
   */
  MEMCACHED_HOST: optionalString.pipe(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, "must be host or host:port").optional()),
  /**
   * The network Prometheus scrapes the instances' VMs from (an IPv4 CIDR): each VM's firewall opens its
   * node_exporter (9100) and cAdvisor (9280) ports to it alone.
   * @default unset: those ports answer no one
   */
  OVH_MONITORING_CIDR: optionalString.pipe(z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/16").optional()),
  /**
   * The network the instances' application VMs reach their services VM from (an IPv4 CIDR, e.g. the project's
   * private network): a plan with `servicesVmFlavor` gets a VM whose memcached (11211) and Elasticsearch (9200)
   * answer this network alone.
   * @default unset: no services VM can be made (a plan asking for one fails its step, naming this variable)
   */
  OVH_SERVICES_CLIENT_CIDR: optionalString.pipe(z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.0.0.0/16").optional()),
  /**
   * An account on the shared Elasticsearch (`ELASTICSEARCH_HOST`) that may manage security roles and users
   * (`https://user:pass@host:9200`). Set when the cluster has security on: each instance then gets a user of its own
   * whose role reaches only its own indices. Unset, the Elasticsearch step says it skipped and the VMs connect
   * without credentials.
   * @default unset
   */
  ELASTICSEARCH_ADMIN_URL: optionalString.pipe(
    z.string().regex(/^https?:\/\/[^:@/]+:[^@/]+@[a-z0-9.-]+(:\d{1,5})?\/?$/i, "must be http(s)://user:password@host:port").optional(),
  ),
  /**
   * Starts the name of every database, user, vhost and bucket Lyceum creates (a letter and up to 5 letters or
   * digits): one per portal sharing a cluster. Tests, the e2e server and benchmarks use a random one and remove
   * what carries it.
   * @default `lyc`
   */
  LYCEUM_RESOURCE_PREFIX: z
    .string()
    .regex(RESOURCE_PREFIX_PATTERN, "must be a lower-case letter followed by at most 5 letters or digits")
    .default("lyc"),
  /**
   * An account on the MySQL/MariaDB cluster that may create databases and users and grant on them.
   * @default `mysql://root@127.0.0.1:3306`
   */
  MYSQL_ADMIN_URL: z
    .string()
    .regex(/^mysql:\/\//, "must be a mysql:// URL, e.g. mysql://root@127.0.0.1:3306")
    .default("mysql://root@127.0.0.1:3306"),
  /**
   * The host part of the instances' MySQL accounts (`'user'@'host'`): where their application servers connect
   * from.
   * @default `%`
   */
  MYSQL_USER_HOST: z.string().min(1).default("%"),
  /**
   * An account on the MongoDB cluster that may create users (`mongodb://user:pass@host/?authSource=admin`). Unset,
   * the MongoDB step says it skipped; required with `COMPUTE_DRIVER=ovh` (a VM is replaced on every redeploy, and
   * course content must not go with it).
   * @default unset
   */
  MONGODB_ADMIN_URL: optionalString.pipe(
    z.string().regex(/^mongodb(\+srv)?:\/\//, "must be a mongodb:// or mongodb+srv:// URL").optional(),
  ),
  /**
   * RabbitMQ's management HTTP API, with an administrator's credentials.
   * @default `http://guest:guest@127.0.0.1:15672`
   */
  RABBITMQ_MANAGEMENT_URL: z.url().default("http://guest:guest@127.0.0.1:15672"),
  /**
   * Where instances reach RabbitMQ (their own user and vhost are added to it).
   * @default `amqp://127.0.0.1:5672`
   */
  RABBITMQ_AMQP_URL: z
    .string()
    .regex(/^amqps?:\/\//, "must be an amqp:// or amqps:// URL")
    .default("amqp://127.0.0.1:5672"),
  /**
   * `1` makes the pipeline runner honour rows in `fault_injections` (tests and the e2e server). Never in
   * production.
   * @default `0`
   */
  LYCEUM_ENABLE_FAULT_INJECTION: z
    .enum(["0", "1", ""])
    .default("0")
    .transform((value) => value === "1"),
  /**
   * `1` lets *Test connection* reach SMTP servers on loopback and private networks (the local mail catcher). Never
   * in production.
   * @default `0` (`1` under `npm run dev`, the e2e server and tests)
   */
  LYCEUM_ALLOW_PRIVATE_SMTP: z
    .enum(["0", "1", ""])
    .default("0")
    .transform((value) => value === "1"),
  /**
   * `1` lets staff accounts use the staff console without two-factor sign-in (the login `npm run dev` prints has
   * none). Never in production: there staff must turn it on first.
   * @default `0` (`1` under `npm run dev`, the e2e server and tests)
   */
  LYCEUM_STAFF_WITHOUT_TWO_FACTOR: z
    .enum(["0", "1", ""])
    .default("0")
    .transform((value) => value === "1"),
  /**
   * `1` lets a NODE_ENV=production process run on the offline billing driver (no STRIPE_SECRET_KEY: free
   * checkout, a webhook secret published in this repository). Start-up refuses it otherwise, and the start
   * banners shout when it is allowed. For throwaway production builds only (the e2e server, benchmarks).
   * @default unset
   */
  LYCEUM_UNSAFE_LOCAL_BILLING: unsafeAllowance("local billing"),
  /**
   * `1` lets a NODE_ENV=production process honour fault injections (LYCEUM_ENABLE_FAULT_INJECTION=1); refused otherwise.
   * @default unset
   */
  LYCEUM_UNSAFE_FAULT_INJECTION: unsafeAllowance("fault injection"),
  /**
   * `1` lets a NODE_ENV=production process reach SMTP servers on private addresses (LYCEUM_ALLOW_PRIVATE_SMTP=1); refused otherwise.
   * @default unset
   */
  LYCEUM_UNSAFE_PRIVATE_SMTP: unsafeAllowance("SMTP tests against private addresses"),
  /**
   * `1` lets a NODE_ENV=production process let staff in without two-factor sign-in (LYCEUM_STAFF_WITHOUT_TWO_FACTOR=1); refused otherwise.
   * @default unset
   */
  LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR: unsafeAllowance("staff without two-factor sign-in"),
  /**
   * An S3-compatible endpoint such as `http://127.0.0.1:9000`. Unset, clients go to AWS; `npm run dev` and the e2e
   * server then start the [local S3 server](#local-s3-server) and set it.
   * @default AWS S3; local server (dev, e2e)
   */
  S3_ENDPOINT: optionalString.pipe(z.url("must be a URL such as http://127.0.0.1:9000").optional()),
  /**
   * Region the S3 clients sign for.
   * @default `us-east-1`
   */
  S3_REGION: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be a region name such as us-east-1").default("us-east-1"),
  /**
   * The platform's S3 key pair (both or neither). Unset: the AWS SDK's default credential chain (instance role,
   * `~/.aws`). In dev they are the local server's root key, kept in `.lyceum/dev-secrets.json`.
   * @default SDK default chain; generated (dev)
   */
  S3_ACCESS_KEY_ID: optionalString,
  /**
   * The platform's S3 key pair (both or neither). Unset: the AWS SDK's default credential chain (instance role,
   * `~/.aws`). In dev they are the local server's root key, kept in `.lyceum/dev-secrets.json`.
   * @default SDK default chain; generated (dev)
   */
  S3_SECRET_ACCESS_KEY: optionalString,
  /**
   * Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`.
   * @default `true` with `S3_ENDPOINT`, else `false`
   */
  S3_FORCE_PATH_STYLE: optionalString.pipe(z.enum(["true", "false", "1", "0"], "must be true or false").optional()),
  /**
   * Where instance buckets and their keys come from: `local` (the local S3 server's admin API mints bucket-scoped
   * keys; needs its root key in `S3_ACCESS_KEY_ID`/`S3_SECRET_ACCESS_KEY`) or `aws` (an IAM user per instance with
   * a bucket-only policy).
   * @default `local` with `S3_ENDPOINT`, else `aws`
   */
  OBJECT_STORAGE_DRIVER: optionalString.pipe(z.enum(["local", "aws"], "must be local or aws").optional()),
  /**
   * Points the IAM client elsewhere (the contract test's loopback server).
   * @default AWS IAM
   */
  AWS_IAM_ENDPOINT: optionalString.pipe(z.url().optional()),
  /**
   * The platform's bucket for client uploads (logos, favicons); dev and e2e create it at start.
   * @default `lyceum-assets`
   */
  LYCEUM_ASSETS_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)")
    .default("lyceum-assets"),
  /**
   * The platform's bucket for instance backups (encrypted artifacts and their manifests). No instance key reaches
   * it: instances' keys are scoped to their own bucket. Dev and tests create it at start.
   * @default `lyceum-backups`
   */
  LYCEUM_BACKUP_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)")
    .default("lyceum-backups"),
  /**
   * What stands in front of the instances: `none` (each local site server shows its own maintenance page),
   * `haproxy` (a local HAProxy run from `$LYCEUM_STATE_DIR/load-balancer/`), `consul` (the configuration is
   * published to Consul KV for the production HAProxy nodes).
   * @default `none`; `haproxy` in dev when installed
   */
  LOAD_BALANCER_DRIVER: z.enum(["none", "haproxy", "consul"], "must be none, haproxy or consul").default("none"),
  /**
   * The HAProxy binary (also used to check configurations before publishing to Consul).
   * @default `/usr/sbin/haproxy`
   */
  HAPROXY_BIN: z.string().min(1).default("/usr/sbin/haproxy"),
  /**
   * Where HAProxy listens (`0.0.0.0`, `80`, `443` in production); HTTPS port `0`: no TLS listener.
   * @default `127.0.0.1`, `8080`, `8443`
   */
  HAPROXY_BIND_HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * Where HAProxy listens (`0.0.0.0`, `80`, `443` in production); HTTPS port `0`: no TLS listener.
   * @default `127.0.0.1`, `8080`, `8443`
   */
  HAPROXY_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  /**
   * Where HAProxy listens (`0.0.0.0`, `80`, `443` in production); HTTPS port `0`: no TLS listener.
   * @default `127.0.0.1`, `8080`, `8443`
   */
  HAPROXY_HTTPS_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  /**
   * `host:port` where HAProxy reaches the portal: ACME HTTP-01 challenges on every name, and names no instance
   * claims.
   * @default `127.0.0.1:$PORT`
   */
  LOAD_BALANCER_PORTAL_ADDRESS: optionalString.pipe(
    z.string().regex(/^[a-zA-Z0-9.-]+:\d{1,5}$/, "must be host:port, e.g. 10.0.0.5:3000").optional(),
  ),
  /**
   * The Consul agent's HTTP API and an ACL token with `key:write` on the prefix (required with
   * `LOAD_BALANCER_DRIVER=consul`).
   * @default unset
   */
  CONSUL_URL: optionalString.pipe(z.url().optional()),
  /**
   * The Consul agent's HTTP API and an ACL token with `key:write` on the prefix (required with
   * `LOAD_BALANCER_DRIVER=consul`).
   * @default unset
   */
  CONSUL_TOKEN: optionalString,
  /**
   * Where the configuration is published: `manifest` (written by check-and-set) and `blobs/<sha256>`.
   * @default `lyceum/load-balancer`
   */
  CONSUL_KV_PREFIX: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, "must look like lyceum/load-balancer").default("lyceum/load-balancer"),
  /**
   * Where the production HAProxy nodes keep the published files (`config/`, `certs/`).
   * @default `/etc/haproxy/lyceum`
   */
  HAPROXY_NODE_DIR: z.string().regex(/^\/[\w./-]*$/, "must be an absolute path").default("/etc/haproxy/lyceum"),
  /**
   * `host:port` where every HAProxy serves its stats page (CSV `show stat` and the admin form, behind
   * `HAPROXY_STATS_PASSWORD`), rendered into the configuration every node receives, e.g. `0.0.0.0:8404` on a private
   * interface; with `LOAD_BALANCER_DRIVER=consul` it is how the worker reads the nodes' load and drains servers.
   * @default unset: no stats listener
   */
  HAPROXY_STATS_BIND: optionalString.pipe(z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.*-]*):\d{1,5}$/, "must be host:port, e.g. 0.0.0.0:8404").optional()),
  /**
   * The stats page's password (user `lyceum`): 16 to 200 letters, digits or `._~+/=-`. Required with
   * `HAPROXY_STATS_BIND`.
   * @default unset
   */
  HAPROXY_STATS_PASSWORD: optionalString.pipe(z.string().regex(/^[\w.~+/=-]{16,200}$/, "must be 16 to 200 letters, digits or ._~+/=-").optional()),
  /**
   * With `LOAD_BALANCER_DRIVER=consul`: every HAProxy node's stats URL, comma-separated, e.g.
   * `http://10.0.0.2:8404/stats,http://10.0.0.3:8404/stats`. The autoscaler sums the nodes' load; scale-in drains a
   * server on each. Unset: no autoscaling, and a leaving server is not drained.
   * @default unset
   */
  HAPROXY_STATS_URLS: optionalString.pipe(
    z
      .string()
      .transform((value) => value.split(",").map((url) => url.trim()).filter(Boolean))
      .pipe(z.array(z.url({ protocol: /^https?$/, error: "must be http(s) URLs, comma-separated" })).min(1))
      .optional(),
  ),
  /**
   * Jobs one worker process runs at once.
   * @default `4`
   */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Connections in each process's Postgres pool. Unset: 2 × WORKER_CONCURRENCY + 4 (at least 10): a running
   * operation holds one connection for its instance lease and may need two more at once inside a step.
   */
  DATABASE_POOL_SIZE: optionalString.pipe(z.coerce.number<string | undefined>().int().min(2).max(500).optional()),
  /**
   * A pipeline step that runs longer fails with "timed out after N s" (steps may set their own).
   * @default `300`
   */
  STEP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * A single call to an outside service (a MySQL statement; a RabbitMQ, S3, IAM, MongoDB, Gandi, Elasticsearch, OVH
   * or ACME request) that has not answered in this long fails, and where its client can, its connection is reset: a
   * service that accepts and never answers fails that call rather than the whole step.
   * @default `30`
   */
  DRIVER_CALL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(30),
  /**
   * How long a new deployment has to answer `/heartbeat` before it is `configuration_failed` (at least 30). A
   * local process answers in seconds; a fresh OVH VM runs cloud-init and `tutor local launch`, about half an hour.
   * @default `300`, or `1800` with `COMPUTE_DRIVER=ovh`
   */
  HEARTBEAT_TIMEOUT_SECONDS: optionalString.pipe(z.coerce.number<string | undefined>().int().min(30, "must be at least 30 (seconds)").optional()),
  /**
   * Staff account that `npm run dev` seeds.
   * @default `staff@lyceum.localhost`
   */
  LYCEUM_STAFF_EMAIL: z.email().default("staff@lyceum.localhost"),
  /**
   * Its password (at least 10 characters).
   * @default generated (dev)
   */
  LYCEUM_STAFF_PASSWORD: optionalString.pipe(z.string().min(10, "must be at least 10 characters").optional()),
  /**
   * Comma-separated addresses emailed when any pipeline fails after its last retry.
   * @default `LYCEUM_STAFF_EMAIL`
   */
  LYCEUM_STAFF_ALERT_EMAILS: optionalString.pipe(
    z
      .string()
      .transform((value) => value.split(",").map((address) => address.trim()).filter(Boolean))
      .pipe(z.array(z.email("must be a comma-separated list of email addresses")))
      .optional(),
  ),
  /**
   * How many reverse proxies of our own (HAProxy, a cloud load balancer) stand in front of the portal, each
   * appending the address it saw to X-Forwarded-For. Rate limits per client address take the entry the
   * outermost trusted proxy appended. 0 (no proxy): the address Next.js itself records, which a client that
   * sends its own X-Forwarded-For can choose: behind a proxy, set this so per-address limits hold.
   */
  LYCEUM_TRUSTED_PROXY_HOPS: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(0).max(10).default(0),
  /**
   * `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent` (web and worker).
   * @default `info`
   */
  LYCEUM_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Bearer token for `/api/metrics`, `/api/prometheus/*` and the workers' metrics port (16+ characters).
   * @default generated (dev); unset: metrics off
   */
  LYCEUM_METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  /**
   * Where each worker serves `/metrics` (`0.0.0.0`: every interface, advertised by host name).
   * @default `127.0.0.1`
   */
  LYCEUM_WORKER_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * Its port; each worker records the address it got, and `/api/prometheus/workers` lists it.
   * @default `0` (any free port)
   */
  LYCEUM_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

export type Env = z.infer<typeof envSchema> & {
  BILLING_DRIVER: "stripe" | "local";
  publicUrl: string;
  internalUrl: string;
  staffAlertEmails: string[];
  /** DNS_ZONE, or the hosting domain itself. */
  dnsZone: string;
  /** HEARTBEAT_TIMEOUT_SECONDS, or the compute driver's default. */
  heartbeatTimeoutSeconds: number;
  /** DATABASE_POOL_SIZE, or what WORKER_CONCURRENCY needs. */
  databasePoolSize: number;
  /** Development shortcuts this production process runs with (each allowed by its LYCEUM_UNSAFE_* variable). */
  unsafeShortcuts: UnsafeShortcut[];
};

/**
 * Each running operation may hold a transaction while it runs another query beside it (its instance lease has a
 * session of its own, outside the pool): below this many connections, concurrent operations can wait on each
 * other forever.
 */
export function poolSizeNeeded(workerConcurrency: number): number {
  return 2 * workerConcurrency + 2;
}

export class ConfigurationError extends Error {}

/** What the OVH compute driver cannot start without, and what each one is. */
const OVH_SETTINGS = [
  ["OVH_ENDPOINT", "the API endpoint, e.g. ovh-eu"],
  ["OVH_APPLICATION_KEY", "the application key"],
  ["OVH_APPLICATION_SECRET", "the application secret"],
  ["OVH_CONSUMER_KEY", "the consumer key granted to the application"],
  ["OVH_PROJECT_ID", "the Public Cloud project id"],
  ["OVH_REGION", "the region VMs are created in, e.g. GRA11"],
  ["OVH_IMAGE_ID", "the id of the VMs' image (Ubuntu 24.04)"],
  ["OVH_SSH_KEY_ID", "the id of the project's SSH key for staff access"],
] as const;

/**
 * OVH VMs are disposable (every plan change, Apply changes, new domain or upgrade boots a new one), so every service
 * holding an instance's data must be one the VM reaches over the network: a missing MongoDB cluster would make each
 * VM run its own, and a loopback address would send the VM to itself.
 */
function stateOnVmProblems(parsed: z.infer<typeof envSchema>): string[] {
  const why = "is required with COMPUTE_DRIVER=ovh: without it each VM runs MongoDB itself and the course content is lost at the next redeploy";
  const problems = parsed.MONGODB_ADMIN_URL ? [] : [`  MONGODB_ADMIN_URL: ${why}`];
  const dataServices = [
    ["MYSQL_ADMIN_URL", parsed.MYSQL_ADMIN_URL, "MySQL"],
    ["MONGODB_ADMIN_URL", parsed.MONGODB_ADMIN_URL, "MongoDB"],
    ["RABBITMQ_AMQP_URL", parsed.RABBITMQ_AMQP_URL, "RabbitMQ"],
    ["S3_ENDPOINT", parsed.S3_ENDPOINT, "object storage"],
  ] as const;
  for (const [name, url, service] of dataServices) {
    const loopback = url ? hostsOfUrl(url).find(isLoopbackHost) : undefined;
    if (loopback) {
      problems.push(`  ${name}: ${service} at ${loopback} is this machine, which the instances' VMs reach as themselves: with COMPUTE_DRIVER=ovh it must be a host the VMs reach over the network`);
    }
  }
  return problems;
}

/** The hosts of a URL, including a MongoDB seed list (`mongodb://a:27017,b:27017/`). */
function hostsOfUrl(url: string): string[] {
  const authority = url.replace(/^[a-z+]+:\/\//i, "").split(/[/?#]/)[0] ?? "";
  return authority
    .slice(authority.lastIndexOf("@") + 1)
    .split(",")
    .map((hostPort) => (hostPort.startsWith("[") ? hostPort.slice(1, hostPort.indexOf("]")) : hostPort.replace(/:\d*$/, "")).toLowerCase());
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || host === "0.0.0.0" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

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
    if (parsed.STRIPE_WEBHOOK_SECRET === PUBLISHED_WEBHOOK_SECRET) {
      lines.push("  STRIPE_WEBHOOK_SECRET: is required with STRIPE_SECRET_KEY: the signing secret (whsec_…) of the webhook endpoint");
    }
    if (lines.length) throw new ConfigurationError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (parsed.COMPUTE_DRIVER === "ovh") {
    const missing = OVH_SETTINGS.filter(([name]) => !parsed[name]);
    if (missing.length) {
      const lines = missing.map(([name, what]) => `  ${name}: is required with COMPUTE_DRIVER=ovh: ${what}`);
      throw new ConfigurationError(`Invalid configuration:\n${lines.join("\n")}`);
    }
  }
  // Production only: the tests and a developer's machine drive a loopback OVH double with the local services.
  // The renderer refuses a configuration that would keep state on the VM whatever NODE_ENV says.
  if (parsed.COMPUTE_DRIVER === "ovh" && parsed.NODE_ENV === "production") {
    const stateOnVm = stateOnVmProblems(parsed);
    if (stateOnVm.length) throw new ConfigurationError(`Invalid configuration:\n${stateOnVm.join("\n")}`);
  }
  if (parsed.COMPUTE_DRIVER === "ovh" && !parsed.LYCEUM_MAIL_RELAY_PUBLIC_HOST) {
    // VMs elsewhere cannot reach the default (the relay's loopback listen address): their mail would bounce.
    throw new ConfigurationError(
      "Invalid configuration:\n  LYCEUM_MAIL_RELAY_PUBLIC_HOST: is required with COMPUTE_DRIVER=ovh: the host (and port) the VMs reach the instance mail relay at",
    );
  }
  if (parsed.DNS_DRIVER === "gandi" && !parsed.GANDI_TOKEN) {
    throw new ConfigurationError("Invalid configuration:\n  GANDI_TOKEN: is required with DNS_DRIVER=gandi: a Gandi personal access token for the zone");
  }
  if (parsed.DNS_DRIVER === "challtestsrv" && !parsed.CHALLTESTSRV_URL) {
    throw new ConfigurationError("Invalid configuration:\n  CHALLTESTSRV_URL: is required with DNS_DRIVER=challtestsrv: pebble-challtestsrv's management URL");
  }
  if (parsed.DNS_DRIVER === "local" && parsed.LYCEUM_BASE_DOMAIN !== "localhost" && !parsed.LYCEUM_BASE_DOMAIN.endsWith(".localhost")) {
    throw new ConfigurationError(
      `Invalid configuration:\n  DNS_DRIVER: the local DNS driver serves *.localhost only; set DNS_DRIVER=gandi (and GANDI_TOKEN) for ${parsed.LYCEUM_BASE_DOMAIN}`,
    );
  }
  if (parsed.DATABASE_POOL_SIZE !== undefined && parsed.DATABASE_POOL_SIZE < poolSizeNeeded(parsed.WORKER_CONCURRENCY)) {
    throw new ConfigurationError(
      `Invalid configuration:\n  DATABASE_POOL_SIZE: ${parsed.DATABASE_POOL_SIZE} connections cannot serve WORKER_CONCURRENCY=${parsed.WORKER_CONCURRENCY}: ` +
        `each running operation may hold 2 (a step's transaction and a query beside it); set DATABASE_POOL_SIZE to at least ${poolSizeNeeded(parsed.WORKER_CONCURRENCY)} or lower WORKER_CONCURRENCY`,
    );
  }
  const unallowedShortcuts = unallowedShortcutProblems(parsed);
  if (unallowedShortcuts.length) throw new ConfigurationError(`Invalid configuration:\n${unallowedShortcuts.join("\n")}`);
  const dnsZone = parsed.DNS_ZONE ?? parsed.LYCEUM_BASE_DOMAIN;
  if (parsed.LYCEUM_BASE_DOMAIN !== dnsZone && !parsed.LYCEUM_BASE_DOMAIN.endsWith(`.${dnsZone}`)) {
    throw new ConfigurationError(`Invalid configuration:\n  DNS_ZONE: ${dnsZone} does not contain LYCEUM_BASE_DOMAIN (${parsed.LYCEUM_BASE_DOMAIN})`);
  }
  if (parsed.LOAD_BALANCER_DRIVER === "consul" && !parsed.CONSUL_URL) {
    throw new ConfigurationError("Invalid configuration:\n  CONSUL_URL: is required with LOAD_BALANCER_DRIVER=consul: the Consul agent's HTTP API, e.g. http://127.0.0.1:8500");
  }
  if (parsed.HAPROXY_STATS_BIND && !parsed.HAPROXY_STATS_PASSWORD) {
    throw new ConfigurationError("Invalid configuration:\n  HAPROXY_STATS_PASSWORD: is required with HAPROXY_STATS_BIND: the stats page can put servers into maintenance");
  }
  if (parsed.HAPROXY_STATS_URLS && (parsed.LOAD_BALANCER_DRIVER !== "consul" || !parsed.HAPROXY_STATS_BIND)) {
    throw new ConfigurationError(
      "Invalid configuration:\n  HAPROXY_STATS_URLS: is read with LOAD_BALANCER_DRIVER=consul and HAPROXY_STATS_BIND only (the nodes serve their stats where HAPROXY_STATS_BIND renders them; the local HAProxy is read through its socket)",
    );
  }
  if (Boolean(parsed.LYCEUM_MAIL_RELAY_TLS_CERT) !== Boolean(parsed.LYCEUM_MAIL_RELAY_TLS_KEY)) {
    throw new ConfigurationError("Invalid configuration:\n  LYCEUM_MAIL_RELAY_TLS_KEY: LYCEUM_MAIL_RELAY_TLS_CERT and LYCEUM_MAIL_RELAY_TLS_KEY go together: set both or neither");
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
    dnsZone,
    heartbeatTimeoutSeconds: parsed.HEARTBEAT_TIMEOUT_SECONDS ?? (parsed.COMPUTE_DRIVER === "ovh" ? 1800 : 300),
    databasePoolSize: parsed.DATABASE_POOL_SIZE ?? Math.max(10, poolSizeNeeded(parsed.WORKER_CONCURRENCY) + 2),
    unsafeShortcuts: unsafeShortcutsInUse(parsed),
  };
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use (so `next build` needs none of it). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
