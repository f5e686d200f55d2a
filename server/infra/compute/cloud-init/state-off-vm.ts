// An OVH VM is disposable: every plan change, Apply changes, new domain or upgrade replaces it with a fresh one. So
// nothing that holds an instance's data may live on it; this is the check that a Tutor config.yml keeps all of it
// on the platform's services. Memcached and Elasticsearch may stay on the VM (a cache, and a search index the new
// VM rebuilds at boot).

/** Names that reach the VM itself: loopback, and the services of Tutor's own docker-compose network. */
const VM_LOCAL_HOSTS = new Set(["localhost", "0.0.0.0", "::1", "mysql", "mongodb", "redis", "rabbitmq", "minio", "smtp", "lms", "cms", "caddy"]);

export function isVmLocalHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  return VM_LOCAL_HOSTS.has(name) || name.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * Each stateful service Tutor would otherwise run on the VM: the RUN_* key that must be false, and the config key
 * holding where the VM reaches it instead.
 */
export const STATEFUL_TUTOR_SERVICES = [
  { run: "RUN_MYSQL", host: "MYSQL_HOST", holds: "accounts, enrolments, grades and progress" },
  { run: "RUN_MONGODB", host: "MONGODB_HOST", holds: "course content and course assets" },
  // Tutor 17's Redis holds the Django caches and the Celery broker; the lyceum plugin moves the caches to memcached
  // and the broker to RabbitMQ, so nothing is left for it. It stays off so that nothing can start keeping state there.
  { run: "RUN_REDIS", host: null, holds: "nothing once the lyceum plugin has moved the caches and the Celery broker" },
  // tutor-minio's key: uploads, profile images, grade and CSV exports belong in the instance's bucket.
  { run: "RUN_MINIO", host: "S3_HOST", holds: "uploads, profile images, grade and CSV exports" },
] as const;

/** Keys naming the bucket each kind of upload goes to (tutor-contrib-s3): every one must be the instance's. */
export const OBJECT_STORAGE_BUCKET_KEYS = ["S3_STORAGE_BUCKET", "S3_FILE_UPLOAD_BUCKET", "S3_GRADE_BUCKET", "S3_PROFILE_IMAGE_BUCKET"] as const;

/** The Celery broker (task queue) the lyceum plugin configures. */
export const BROKER_URL_KEY = "LYCEUM_CELERY_BROKER_URL";

class StateOnVmError extends Error {}

/** Refuses a config.yml that would keep any instance data on the VM, naming the Tutor key. */
export function assertStateOffVm(config: Record<string, unknown>): void {
  const problems: string[] = [];
  for (const service of STATEFUL_TUTOR_SERVICES) {
    // RUN_MINIO exists only with tutor-minio; absent, no MinIO runs.
    const isRunOnVm = service.run === "RUN_MINIO" ? config[service.run] === true : config[service.run] !== false;
    if (isRunOnVm) problems.push(`${service.run} must be false: it would keep ${service.holds} on the VM`);
    if (service.host) {
      const host = config[service.host];
      if (typeof host !== "string" || !host || isVmLocalHost(host)) {
        problems.push(`${service.host} "${String(host ?? "")}" is on the VM: ${service.holds} must be on the platform's service`);
      }
    }
  }
  const plugins = Array.isArray(config.PLUGINS) ? config.PLUGINS : [];
  if (plugins.includes("minio")) problems.push("PLUGINS must not enable minio: it would keep uploads on the VM");
  for (const key of OBJECT_STORAGE_BUCKET_KEYS) {
    if (config[key] !== config.S3_STORAGE_BUCKET || typeof config[key] !== "string" || !config[key]) {
      problems.push(`${key} must be the instance's bucket: left empty, Open edX keeps those files on the VM's disk`);
    }
  }
  const broker = config[BROKER_URL_KEY];
  const brokerHost = typeof broker === "string" && URL.canParse(broker) ? new URL(broker).hostname : "";
  if (!brokerHost || isVmLocalHost(brokerHost)) problems.push(`${BROKER_URL_KEY} must reach the platform's RabbitMQ: queued tasks would be lost with the VM`);
  if (problems.length) throw new StateOnVmError(`the Tutor configuration would keep instance data on the disposable VM: ${problems.join("; ")}`);
}
