// Tutor's config.yml for an instance (https://docs.tutor.edly.io/configuration.html), and the small Tutor plugin
// that carries what Tutor has no setting for: Celery on the instance's RabbitMQ vhost, memcached as Django's
// cache, the instance's own cache key and search index prefixes, the sender address. Tutor 17 (Quince) and 18
// (Redwood) run Elasticsearch; 19 (Sumac) replaces it with Meilisearch, which this render does not configure yet.
// Client-typed text goes in only through tutor-text.ts (Tutor runs config values as templates).
import type { DeployedConfig } from "./deployed-config";
import { assertStateOffVm } from "./state-off-vm";
import { healthComposeServices, heartbeatCaddySite } from "./vm-health";
import { BRANDING_PLUGIN_DEFAULTS, brandingPatches, brandingTutorConfig } from "./branding";
import { assertInertTutorConfig, inertCopyOfText, percentEncodedText } from "./tutor-text";

/**
 * The platform's side of a VM's services: the optional shared search and cache hosts. (Mail is not here: the VM
 * gets its own credential for the instance mail relay in `services.smtp`, never the platform relay's.)
 */
export type PlatformServices = {
  /** host:port or http(s)://host:port; unset: Elasticsearch runs on the VM (Tutor's own container). */
  elasticsearchHost?: string;
  /** host:port; unset: memcached runs on the VM (a container the plugin adds). */
  memcachedHost?: string;
  /** The IPv4 CIDR Prometheus scrapes from; unset: the VM's metrics ports answer no one. */
  monitoringCidr?: string;
};

export const TUTOR_PLUGIN_NAME = "lyceum";
/** A Python (v1) plugin: the one change a YAML plugin cannot make. */
export const TUTOR_MYSQL_PLUGIN_NAME = "lyceum_mysql";
/** tutor-indigo (the theme), tutor-mfe (the learner apps), tutor-contrib-s3 (object storage), and ours. */
const TUTOR_PLUGINS = ["indigo", "mfe", "s3", TUTOR_PLUGIN_NAME, TUTOR_MYSQL_PLUGIN_NAME] as const;

/**
 * Tutor's MySQL init job runs CREATE USER and ALTER USER as MYSQL_ROOT_USERNAME, which needs the cluster-wide
 * CREATE USER privilege that no instance account has. The platform has created the database and accounts
 * already (the mysql step), so this plugin drops that job from `tutor local do init`; LMS and CMS
 * migrations still run as the instance's own accounts.
 */
export const TUTOR_MYSQL_PLUGIN_SOURCE = `"""Lyceum: the instance's MySQL database and accounts exist before Tutor runs; skip Tutor's MySQL init job."""
from tutor import hooks


@hooks.Filters.CLI_DO_INIT_TASKS.add(priority=hooks.priorities.LOW)
def _without_mysql_init(tasks):
    return [(service, script) for service, script in tasks if service != "mysql"]
`;
const LOCAL_MEMCACHED = "memcached:11211";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The instance's own namespace in the shared memcached (Django cache KEY_PREFIX) and Elasticsearch (edx-search's
 * ELASTIC_SEARCH_INDEX_PREFIX): without it every instance's "default" cache and "courseware_content" index would be
 * the same keys, so one tenant could read another's cache, or poison it with pickled values Django unpickles.
 */
export function tenantPrefixes(instanceId: string) {
  if (!UUID.test(instanceId)) throw new Error(`the instance id "${instanceId}" is not a UUID; its cache and index prefixes derive from it`);
  const tenant = `lyc${instanceId.replaceAll("-", "").toLowerCase()}`;
  return { cacheKeyPrefix: `${tenant}:`, searchIndexPrefix: `${tenant}_` };
}

export function renderTutorConfig(config: DeployedConfig, platform: PlatformServices): Record<string, unknown> {
  const { services, hostnames } = config;
  const mysql = splitHostPort(services.mysql.server, 3306);
  const edxappUser = services.mysql.users.edxapp;
  const edxappDatabase = services.mysql.databases.edxapp;
  if (!edxappUser || !edxappDatabase) throw new Error("the deployment's configuration has no edxapp MySQL database and user");
  const migrateUser = services.mysql.users.migrate ?? edxappUser;
  const email = config.settings.email;
  const senderAddress = email.senderAddress ?? config.contactEmail ?? `no-reply@${hostnames.lms}`;
  const contactEmail = config.contactEmail ?? senderAddress;
  const smtp = smtpSettings(services.smtp);
  const prefixes = tenantPrefixes(config.instanceId);
  const searchUser = searchUserOf(config, platform);

  const tutorConfig = {
    // Tutor's own keys get an inert copy of the client's text (the same text unless it holds {, }, ", \ or a
    // control character); the lyceum plugin sets the exact text in Django's settings from the LYCEUM_TEXT_* keys.
    PLATFORM_NAME: inertCopyOfText(config.instanceName),
    CONTACT_EMAIL: inertCopyOfText(contactEmail),
    LMS_HOST: hostnames.lms,
    CMS_HOST: hostnames.studio,
    PREVIEW_LMS_HOST: hostnames.preview,
    MFE_HOST: hostnames.apps,
    LANGUAGE_CODE: "en",
    // Links are https (the load balancer holds the certificate); Caddy on the VM serves plain HTTP on port 80.
    ENABLE_HTTPS: true,
    ENABLE_WEB_PROXY: false,
    CADDY_HTTP_PORT: 80,
    PLUGINS: [...TUTOR_PLUGINS],
    // The instance's own, generated once: `tutor config save` keeps what config.yml has instead of making new ones.
    OPENEDX_SECRET_KEY: services.tutor.OPENEDX_SECRET_KEY,
    JWT_RSA_PRIVATE_KEY: services.tutor.JWT_RSA_PRIVATE_KEY,
    CMS_OAUTH2_SECRET: services.tutor.CMS_OAUTH2_SECRET,
    ID: services.tutor.ID,

    RUN_MYSQL: false,
    MYSQL_HOST: mysql.host,
    MYSQL_PORT: mysql.port,
    // Tutor's "root" account: the migrate account holds every privilege on the instance's databases and nothing
    // else on the cluster (Tutor's own MySQL init job, which would need more, is dropped: lyceum_mysql).
    MYSQL_ROOT_USERNAME: migrateUser.username,
    MYSQL_ROOT_PASSWORD: migrateUser.password,
    OPENEDX_MYSQL_DATABASE: edxappDatabase,
    OPENEDX_MYSQL_USERNAME: edxappUser.username,
    OPENEDX_MYSQL_PASSWORD: edxappUser.password,

    ...mongodbSettings(services.mongodb),
    // Redis would hold Tutor's caches and Celery broker; the lyceum plugin moves them to memcached and RabbitMQ.
    RUN_REDIS: false,
    ...elasticsearchSettings(platform.elasticsearchHost),
    ...smtp,
    SMTP_HOST: inertCopyOfText(smtp.SMTP_HOST),
    SMTP_USERNAME: inertCopyOfText(smtp.SMTP_USERNAME),
    SMTP_PASSWORD: inertCopyOfText(smtp.SMTP_PASSWORD),
    ...s3Settings(services.objectStorage),

    // Indigo's keys and the lyceum plugin's LYCEUM_BRAND_* (./branding.ts).
    ...brandingTutorConfig(config),

    // Read by the lyceum plugin's patches (config keys of a plugin's "defaults" are prefixed with its name).
    LYCEUM_CELERY_BROKER_URL: brokerUrl(services.rabbitmq),
    LYCEUM_MEMCACHED_HOST: platform.memcachedHost ?? LOCAL_MEMCACHED,
    LYCEUM_CACHE_KEY_PREFIX: prefixes.cacheKeyPrefix,
    LYCEUM_SEARCH_INDEX_PREFIX: prefixes.searchIndexPrefix,
    LYCEUM_TEXT_PLATFORM_NAME: percentEncodedText(config.instanceName),
    LYCEUM_TEXT_CONTACT_EMAIL: percentEncodedText(contactEmail),
    LYCEUM_TEXT_DEFAULT_FROM_EMAIL: percentEncodedText(email.senderName ? `${email.senderName} <${senderAddress}>` : senderAddress),
    LYCEUM_TEXT_SMTP_HOST: percentEncodedText(smtp.SMTP_HOST),
    LYCEUM_TEXT_SMTP_USERNAME: percentEncodedText(smtp.SMTP_USERNAME),
    LYCEUM_TEXT_SMTP_PASSWORD: percentEncodedText(smtp.SMTP_PASSWORD),
    ...(searchUser
      ? {
          LYCEUM_TEXT_SEARCH_USERNAME: percentEncodedText(searchUser.username),
          LYCEUM_TEXT_SEARCH_PASSWORD: percentEncodedText(searchUser.password),
        }
      : {}),
  };
  assertInertTutorConfig(tutorConfig);
  assertStateOffVm(tutorConfig);
  return tutorConfig;
}

/**
 * The instance's own user on the shared Elasticsearch, when the cluster has security (the elasticsearch step made
 * one): null when Elasticsearch runs on the VM or the shared cluster takes no credentials.
 */
export function searchUserOf(config: DeployedConfig, platform: PlatformServices) {
  // The instance's services VM runs an Elasticsearch of its own, without security (its firewall is the boundary).
  if (config.servicesHost) return null;
  return platform.elasticsearchHost && config.services.elasticsearch ? config.services.elasticsearch : null;
}

/** Tutor 17.0.6's Elasticsearch port (config/defaults.yml ELASTICSEARCH_PORT), and memcached's. */
export const SERVICES_VM_PORTS = { elasticsearch: 9200, memcached: 11211 } as const;

/**
 * The services this deployment uses: its instance's services VM when the plan has one (memcached and Elasticsearch
 * there, RUN_ELASTICSEARCH false and no memcached container on this VM), else the platform's (shared, or on the VM).
 */
export function servicesFor(config: DeployedConfig, platform: PlatformServices): PlatformServices {
  if (!config.servicesHost) return platform;
  return {
    ...platform,
    memcachedHost: `${config.servicesHost}:${SERVICES_VM_PORTS.memcached}`,
    elasticsearchHost: `http://${config.servicesHost}:${SERVICES_VM_PORTS.elasticsearch}`,
  };
}

/** The lyceum plugin's config defaults: every LYCEUM_* key above, without the plugin's prefix. */
const PLUGIN_DEFAULTS = {
  CELERY_BROKER_URL: "",
  MEMCACHED_HOST: LOCAL_MEMCACHED,
  CACHE_KEY_PREFIX: "",
  SEARCH_INDEX_PREFIX: "",
  TEXT_PLATFORM_NAME: "",
  TEXT_CONTACT_EMAIL: "",
  TEXT_DEFAULT_FROM_EMAIL: "",
  TEXT_SMTP_HOST: "",
  TEXT_SMTP_USERNAME: "",
  TEXT_SMTP_PASSWORD: "",
  ...BRANDING_PLUGIN_DEFAULTS,
};

/** Tutor's common_all.py sets these from CONTACT_EMAIL (an inert copy); the patch sets them from the exact text. */
const CONTACT_EMAIL_SETTINGS = [
  "CONTACT_EMAIL",
  "DEFAULT_FEEDBACK_EMAIL",
  "TECH_SUPPORT_EMAIL",
  "BUGS_EMAIL",
  "UNIVERSITY_EMAIL",
  "PRESS_EMAIL",
  "PAYMENT_SUPPORT_EMAIL",
  "BULK_EMAIL_DEFAULT_FROM_EMAIL",
  "API_ACCESS_MANAGER_EMAIL",
  "API_ACCESS_FROM_EMAIL",
];

/**
 * The `lyceum` Tutor plugin (a YAML "v0" plugin: name, config defaults, patches), rendered per instance.
 * `hasSearchUser`: the instance signs in to the shared Elasticsearch with a user of its own (searchUserOf).
 */
export function renderTutorPlugin(platform: PlatformServices, hasSearchUser = false): Record<string, unknown> {
  const patches: Record<string, string> = {
    // Included in both LMS and CMS settings, after Tutor's. Values come from config.yml, each only ever through
    // tojson (a Python string literal), never pasted between quotes.
    "openedx-common-settings": [
      "# Lyceum: Celery uses the instance's own RabbitMQ virtual host instead of Tutor's Redis.",
      "BROKER_URL = {{ LYCEUM_CELERY_BROKER_URL|tojson }}",
      "CELERY_BROKER_URL = BROKER_URL",
      "CELERY_BROKER_TRANSPORT = \"amqp\"",
      "# Lyceum: every Django cache in memcached, under the instance's own key prefix (the memcached may be shared).",
      "# Keys are quoted (memcached refuses spaces and control characters) and, past memcached's 250 bytes, hashed",
      "# after the prefix, never with it: every key this instance stores starts with its own prefix.",
      "import hashlib as _lyceum_hashlib",
      "from urllib.parse import quote_plus as _lyceum_quote_plus",
      "def _lyceum_cache_key(key, key_prefix, version):",
      "    head = \"%s:%s:\" % (key_prefix, version)",
      "    key = _lyceum_quote_plus(str(key))",
      "    if len(head) + len(key) > 250:",
      "        key = _lyceum_hashlib.sha256(key.encode()).hexdigest()",
      "    return head + key",
      "for _lyceum_cache in CACHES.values():",
      "    _lyceum_cache.pop(\"OPTIONS\", None)",
      "    _lyceum_cache.update({\"BACKEND\": \"django.core.cache.backends.memcached.PyMemcacheCache\", \"LOCATION\": {{ LYCEUM_MEMCACHED_HOST|tojson }}})",
      "    _lyceum_cache[\"KEY_PREFIX\"] = {{ LYCEUM_CACHE_KEY_PREFIX|tojson }} + _lyceum_cache.get(\"KEY_PREFIX\", \"\")",
      "    _lyceum_cache[\"KEY_FUNCTION\"] = _lyceum_cache_key",
      "# Lyceum: sessions in MySQL, cached in memcached: a new VM starts with an empty memcached, and users stay logged in.",
      "SESSION_ENGINE = \"django.contrib.sessions.backends.cached_db\"",
      "# Lyceum: the instance's own Elasticsearch indices (the cluster may be shared).",
      "ELASTIC_SEARCH_INDEX_PREFIX = {{ LYCEUM_SEARCH_INDEX_PREFIX|tojson }}",
      "# Lyceum: what the client typed, exactly. config.yml holds it percent-encoded because Tutor renders every",
      "# config value as a template (again on each save) and pastes some into YAML and Python strings.",
      "from urllib.parse import unquote as _lyceum_text",
      "PLATFORM_NAME = _lyceum_text({{ LYCEUM_TEXT_PLATFORM_NAME|tojson }})",
      "CONTACT_MAILING_ADDRESS = PLATFORM_NAME + \" - \" + {{ (\"https://\" + LMS_HOST)|tojson }}",
      `for _lyceum_setting in ${JSON.stringify(CONTACT_EMAIL_SETTINGS)}:`,
      "    globals()[_lyceum_setting] = _lyceum_text({{ LYCEUM_TEXT_CONTACT_EMAIL|tojson }})",
      "DEFAULT_FROM_EMAIL = _lyceum_text({{ LYCEUM_TEXT_DEFAULT_FROM_EMAIL|tojson }})",
      "SERVER_EMAIL = DEFAULT_FROM_EMAIL",
      "EMAIL_HOST = _lyceum_text({{ LYCEUM_TEXT_SMTP_HOST|tojson }})",
      "EMAIL_HOST_USER = _lyceum_text({{ LYCEUM_TEXT_SMTP_USERNAME|tojson }})",
      "EMAIL_HOST_PASSWORD = _lyceum_text({{ LYCEUM_TEXT_SMTP_PASSWORD|tojson }})",
      // Tutor 17's ELASTIC_SEARCH_CONFIG is edx-search's list of host dicts (host, port, use_ssl for https);
      // elasticsearch-py 7 takes each host's basic auth as its "http_auth".
      ...(hasSearchUser
        ? [
            "# Lyceum: the instance's own Elasticsearch user, whose role reaches only this instance's indices.",
            "for _lyceum_search_host in ELASTIC_SEARCH_CONFIG:",
            "    _lyceum_search_host[\"http_auth\"] = (_lyceum_text({{ LYCEUM_TEXT_SEARCH_USERNAME|tojson }}), _lyceum_text({{ LYCEUM_TEXT_SEARCH_PASSWORD|tojson }}))",
          ]
        : []),
      "",
    ].join("\n"),
    // Tutor's common_cms.py sets STUDIO_NAME from PLATFORM_NAME after the common patch.
    "openedx-cms-common-settings": ["# Lyceum: Studio's name from the exact platform name.", "STUDIO_NAME = PLATFORM_NAME + \" - Studio\"", ""].join("\n"),
    ...brandingPatches(),
  };
  // Caddy routes by site name; the platform's health check (GET http://<VM address>/heartbeat) has none, so it
  // gets a site of its own on the VM's HTTP port, passed to the heartbeat service (./vm-health.ts).
  patches.caddyfile = heartbeatCaddySite();
  const memcached = platform.memcachedHost ? [] : ["memcached:", "  image: docker.io/memcached:1.6-alpine", "  restart: unless-stopped"];
  patches["local-docker-compose-services"] = [...memcached, ...healthComposeServices(), ""].join("\n");
  return {
    name: TUTOR_PLUGIN_NAME,
    version: "1.0.0",
    config: { defaults: hasSearchUser ? { ...PLUGIN_DEFAULTS, TEXT_SEARCH_USERNAME: "", TEXT_SEARCH_PASSWORD: "" } : PLUGIN_DEFAULTS },
    patches,
  };
}

function mongodbSettings(mongodb: DeployedConfig["services"]["mongodb"]) {
  // Without a cluster Tutor would run MongoDB on the VM, and the course content would go with the VM.
  if (!mongodb) {
    throw new Error(
      "the deployment's configuration has no MongoDB database, so RUN_MONGODB would keep course content on the disposable VM: set MONGODB_ADMIN_URL and provision the instance's database",
    );
  }
  // pymongo takes one seed host here; it discovers the rest of a replica set from it.
  const seed = splitHostPort(mongodb.hosts[0]!, 27017);
  return {
    RUN_MONGODB: false,
    MONGODB_HOST: seed.host,
    MONGODB_PORT: seed.port,
    MONGODB_DATABASE: mongodb.database,
    MONGODB_USERNAME: mongodb.username,
    MONGODB_PASSWORD: mongodb.password,
    // The user is created in the instance's own database (readWrite there only).
    MONGODB_AUTH_SOURCE: mongodb.database,
  };
}

function elasticsearchSettings(host: string | undefined) {
  if (!host) return { RUN_ELASTICSEARCH: true };
  const url = new URL(/^https?:\/\//.test(host) ? host : `http://${host}`);
  return {
    RUN_ELASTICSEARCH: false,
    ELASTICSEARCH_SCHEME: url.protocol.replace(":", ""),
    ELASTICSEARCH_HOST: url.hostname,
    ELASTICSEARCH_PORT: url.port ? Number(url.port) : 9200,
  };
}

/** The client's own SMTP server, or the instance mail relay with the instance's own credential. */
function smtpSettings(smtp: DeployedConfig["services"]["smtp"]) {
  if (!smtp) throw new Error("the deployment's configuration has no SMTP server: the instance has no mail relay credential (its mail_relay step did not run)");
  return {
    RUN_SMTP: false,
    SMTP_HOST: smtp.host,
    SMTP_PORT: smtp.port,
    SMTP_USERNAME: smtp.username,
    SMTP_PASSWORD: smtp.password,
    SMTP_USE_TLS: smtp.tls === "starttls",
    SMTP_USE_SSL: smtp.tls === "tls",
  };
}

/** tutor-contrib-s3's settings: AWS S3 by region, or any S3-compatible endpoint. */
function s3Settings(storage: DeployedConfig["services"]["objectStorage"]) {
  const endpoint = new URL(storage.endpoint ?? `https://s3.${storage.region}.amazonaws.com`);
  const useSsl = endpoint.protocol === "https:";
  return {
    OPENEDX_AWS_ACCESS_KEY: storage.accessKeyId,
    OPENEDX_AWS_SECRET_ACCESS_KEY: storage.secretAccessKey,
    S3_HOST: endpoint.hostname,
    S3_PORT: endpoint.port ? Number(endpoint.port) : useSsl ? 443 : 80,
    S3_USE_SSL: useSsl,
    S3_REGION: storage.region,
    S3_STORAGE_BUCKET: storage.bucket,
    // Named, not left to the plugin's defaults: an empty profile image bucket keeps the images on the VM's disk.
    S3_FILE_UPLOAD_BUCKET: storage.bucket,
    S3_GRADE_BUCKET: storage.bucket,
    S3_PROFILE_IMAGE_BUCKET: storage.bucket,
    S3_ADDRESSING_STYLE: storage.forcePathStyle ? "path" : "virtual",
    S3_SIGNATURE_VERSION: "s3v4",
  };
}

/** amqp://user:password@host:port/vhost, each part URL-encoded (a vhost may hold a slash). */
function brokerUrl(rabbitmq: DeployedConfig["services"]["rabbitmq"]): string {
  const url = new URL(rabbitmq.url);
  url.username = encodeURIComponent(rabbitmq.username);
  url.password = encodeURIComponent(rabbitmq.password);
  url.pathname = `/${encodeURIComponent(rabbitmq.vhost)}`;
  return url.toString();
}

function splitHostPort(value: string, defaultPort: number) {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(value);
  if (!match) throw new Error(`not a host:port: ${value}`);
  return { host: match[1]!, port: match[2] ? Number(match[2]) : defaultPort };
}
