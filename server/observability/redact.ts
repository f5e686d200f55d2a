// Keeps secrets out of log lines and event messages. Three nets: known secret values (configuration, and
// every secret this process sealed or opened through server/crypto/secrets.ts), credentials inside URLs,
// and `password=…`-style pairs. Used on whole serialised log lines, so it must be cheap and never throw.
//
// Known values are remembered with their owner. The platform's own secrets are blanked everywhere; an
// instance's (a client's SMTP password, its data services' passwords) only from text about that instance.
// Otherwise a client could pick "provisioning" as a password and blank that word from every tenant's log.
const REPLACEMENT = "[redacted]";
/** Shorter values would blank out ordinary words; generated secrets are far longer. */
const MIN_SECRET_LENGTH = 8;
/** Per instance; the oldest values are forgotten first (an instance has a few dozen secrets at most). */
const MAX_REMEMBERED_PER_INSTANCE = 200;
/** The platform's: configuration, the ACME account key, wildcard certificate keys as they are renewed. */
const MAX_REMEMBERED_PLATFORM = 1000;
/** Instances whose secrets are kept; the least recently used instance is forgotten first. */
const MAX_REMEMBERED_INSTANCES = 2000;

/** Whose a secret is: an instance's, or (null) the platform's. `SealedCell` fits. */
type SecretOwner = { instanceId: string | null };

type Secrets = { values: Set<string>; pattern: RegExp | null };
type SecretStore = { platform: Secrets; instances: Map<string, Secrets> };
const globalForSecrets = globalThis as unknown as { __lyceumScopedSecrets?: SecretStore };
const store = (globalForSecrets.__lyceumScopedSecrets ??= { platform: { values: new Set(), pattern: null }, instances: new Map() });

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+:)[^\s@"'<>]+@/gi;
const SECRET_PAIRS = /\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)["']?\s*[:=]\s*["']?)[^\s"'&,;}\]]+/gi;
const BEARER = /\b(bearer\s+)[a-z0-9._~+/=-]{8,}/gi;

function secretsOf(owner: SecretOwner): Secrets {
  if (owner.instanceId === null) return store.platform;
  let secrets = store.instances.get(owner.instanceId);
  if (secrets) store.instances.delete(owner.instanceId);
  secrets ??= { values: new Set(), pattern: null };
  store.instances.set(owner.instanceId, secrets);
  if (store.instances.size > MAX_REMEMBERED_INSTANCES) store.instances.delete(store.instances.keys().next().value!);
  return secrets;
}

/** Remembers secret values (strings anywhere inside `value`) so text about `owner` is scrubbed of them from now on. */
export function rememberSecrets(value: unknown, owner: SecretOwner): void {
  const secrets = secretsOf(owner);
  const limit = owner.instanceId === null ? MAX_REMEMBERED_PLATFORM : MAX_REMEMBERED_PER_INSTANCE;
  const visit = (item: unknown) => {
    if (typeof item === "string") {
      if (item.length < MIN_SECRET_LENGTH || secrets.values.has(item)) return;
      secrets.values.add(item);
      secrets.pattern = null;
      if (secrets.values.size > limit) secrets.values.delete(secrets.values.values().next().value!);
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item && typeof item === "object") Object.values(item).forEach(visit);
  };
  visit(value);
}

function patternOf(secrets: Secrets): RegExp | null {
  if (secrets.pattern || secrets.values.size === 0) return secrets.pattern;
  // Each value also as it appears inside a JSON string (quotes and backslashes escaped).
  const forms = new Set<string>();
  for (const value of secrets.values) {
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  secrets.pattern = new RegExp(alternatives.join("|"), "g");
  return secrets.pattern;
}

/**
 * `text` with the platform's secrets, the secrets of the instances it is about (`instanceIds`), and every
 * credential-looking pair replaced.
 */
export function scrubSecrets(text: string, instanceIds: Iterable<string> = []): string {
  let result = text;
  for (const secrets of [store.platform, ...[...new Set(instanceIds)].map((id) => store.instances.get(id))]) {
    const known = secrets && patternOf(secrets);
    if (known) result = result.replace(known, REPLACEMENT);
  }
  result = result.replace(URL_CREDENTIALS, `$1${REPLACEMENT}@`);
  result = result.replace(SECRET_PAIRS, `$1${REPLACEMENT}`);
  return result.replace(BEARER, `$1${REPLACEMENT}`);
}

const INSTANCE_ID_FIELD = /"instanceId":"([^"\\]{1,64})"/g;

/**
 * A finished JSON log line, scrubbed. Which instances it is about is read from the line itself (its
 * `instanceId` fields: the log context's, a child logger's bindings, or a logged object's), so it holds
 * however the id got there.
 */
export function scrubLogLine(line: string): string {
  return scrubSecrets(line, Array.from(line.matchAll(INSTANCE_ID_FIELD), (match) => match[1]!));
}

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
