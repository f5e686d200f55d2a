// Keeps secrets out of log lines and event messages. Three nets: known secret values (configuration, and
// every secret this process sealed or opened through server/crypto/secrets.ts), credentials inside URLs,
// and `password=…`-style pairs. Used on whole serialised log lines, so it must be cheap and never throw.
const REPLACEMENT = "[redacted]";
/** Shorter values would blank out ordinary words; generated secrets are far longer. */
const MIN_SECRET_LENGTH = 8;
/** Oldest values are forgotten first; a worker opens a few secrets per step, so this is hours of them. */
const MAX_REMEMBERED = 5000;

type SecretStore = { values: Set<string>; pattern: RegExp | null };
const globalForSecrets = globalThis as unknown as { __lyceumSecrets?: SecretStore };
const store = (globalForSecrets.__lyceumSecrets ??= { values: new Set(), pattern: null });

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+:)[^\s@"'<>]+@/gi;
const SECRET_PAIRS = /\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)["']?\s*[:=]\s*["']?)[^\s"'&,;}\]]+/gi;
const BEARER = /\b(bearer\s+)[a-z0-9._~+/=-]{8,}/gi;

/** Remembers secret values (strings anywhere inside `value`) so they are scrubbed from now on. */
export function rememberSecrets(value: unknown): void {
  let isChanged = false;
  const visit = (item: unknown) => {
    if (typeof item === "string") {
      if (item.length < MIN_SECRET_LENGTH || store.values.has(item)) return;
      store.values.add(item);
      isChanged = true;
      if (store.values.size > MAX_REMEMBERED) store.values.delete(store.values.values().next().value!);
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item && typeof item === "object") Object.values(item).forEach(visit);
  };
  visit(value);
  if (isChanged) store.pattern = null;
}

function knownSecretsPattern(): RegExp | null {
  if (store.pattern || store.values.size === 0) return store.pattern;
  // Each value also as it appears inside a JSON string (quotes and backslashes escaped).
  const forms = new Set<string>();
  for (const value of store.values) {
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  store.pattern = new RegExp(alternatives.join("|"), "g");
  return store.pattern;
}

/** `text` with every secret this process knows of, and every credential-looking pair, replaced. */
export function scrubSecrets(text: string): string {
  const known = knownSecretsPattern();
  let result = known ? text.replace(known, REPLACEMENT) : text;
  result = result.replace(URL_CREDENTIALS, `$1${REPLACEMENT}@`);
  result = result.replace(SECRET_PAIRS, `$1${REPLACEMENT}`);
  return result.replace(BEARER, `$1${REPLACEMENT}`);
}

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
