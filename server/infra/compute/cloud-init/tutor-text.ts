// How text a client typed (instance name, description, sender, SMTP account…) is written into Tutor's config.yml so
// that it is never run. Tutor renders every config.yml string as a Jinja2 template with the config as context, and
// does so again on every load: `tutor config save` renders, writes the rendered text back to config.yml, and renders
// it again, so an escape such as {% raw %} is peeled off by the first pass and the second runs what was inside. Then
// Tutor's own templates paste the values unquoted into YAML ("{{ PLATFORM_NAME }}"), Python ("{{ PLATFORM_NAME }} -
// Studio") and, through tutor-indigo, Mako HTML. The only safe value is one that every one of those passes leaves
// unchanged; text that must stay exact travels percent-encoded and is decoded by Python in the lyceum plugin.

/** A config value no Jinja pass, YAML or Python string, or Mako template changes or runs. */
const INERT_TEXT = /^[^{}"\\\p{Cc}\u2028\u2029]*$/u;

function isInertText(text: string): boolean {
  return INERT_TEXT.test(text);
}

/**
 * The exact text in a form that is inert everywhere (only [A-Za-z0-9-_.!~*'()] and %XX), for the lyceum plugin's
 * settings patch to decode with urllib.parse.unquote.
 */
export function percentEncodedText(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new Error(`text for Tutor's config is not valid Unicode (it holds a lone surrogate): ${JSON.stringify(text)}`);
  }
}

/**
 * A readable stand-in for Tutor's own keys (PLATFORM_NAME, SMTP_HOST…), which Tutor pastes raw into YAML and Python
 * strings: characters that would open a template, close a string or start a line are replaced. Ordinary text comes
 * out unchanged; where it does not, the lyceum plugin sets the exact value in Django's settings after Tutor's.
 */
export function inertCopyOfText(text: string): string {
  return text
    .replaceAll("{", "(")
    .replaceAll("}", ")")
    .replaceAll('"', "'")
    .replaceAll("\\", "/")
    .replace(/[\p{Cc}\u2028\u2029]/gu, " ");
}

/** Characters left as they are in HTML text: none of them is markup for HTML, Jinja2 or Mako. */
const PLAIN_HTML_CHARACTER = /[A-Za-z0-9 ,.:;!?'()_+\-/@*=~^|[\]]/;

/**
 * Text for tutor-indigo's keys (welcome message, footer links), which its templates paste into Mako HTML: every
 * other character becomes a numeric character reference, so the browser shows exactly what was typed and neither
 * Jinja2 nor Mako sees a tag, an expression or a line of its own.
 */
export function htmlEscapedText(text: string): string {
  return Array.from(text, (character) => (PLAIN_HTML_CHARACTER.test(character) ? character : `&#x${character.codePointAt(0)!.toString(16)};`)).join("");
}

/** An RSA private key as Tutor writes one: PKCS#1 PEM, base64 lines between the armour, nothing else. */
const PKCS1_PEM_PRIVATE_KEY = /^-----BEGIN RSA PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END RSA PRIVATE KEY-----$/;

/**
 * Refuses a config.yml in which a string is not inert, naming the key: the last line of defence when a new client
 * field is added to the config without going through one of the functions above.
 */
export function assertInertTutorConfig(config: Record<string, unknown>): void {
  const visit = (value: unknown, path: string) => {
    if (typeof value === "string") {
      // The one multi-line value, which Lyceum generates: Tutor only ever reads it through its rsa_import_key filter.
      if (path === "JWT_RSA_PRIVATE_KEY" && PKCS1_PEM_PRIVATE_KEY.test(value)) return;
      if (!isInertText(value)) throw new Error(`Tutor config value ${path} holds characters Tutor would run or paste raw ({, }, ", \\ or a control character)`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}[${index}]`));
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) visit(item, path ? `${path}.${key}` : key);
    }
  };
  visit(config, "");
}
