// Development and test shortcuts that would be holes in a real deployment. With NODE_ENV=production each one
// stops start-up unless its LYCEUM_UNSAFE_* variable names it explicitly (the e2e server and the benchmarks
// run a production build with them), and the web and worker start banners shout about every one in effect.
import type { z } from "zod";
import type { envSchema } from "./env";

type ParsedEnv = z.infer<typeof envSchema>;

/** The webhook secret local billing signs with when none is configured: it is in this repository, so anyone can sign with it. */
export const PUBLISHED_WEBHOOK_SECRET = "whsec_lyceum_local_development_only";

export type UnsafeShortcut = {
  /** The variable that must be 1 for the shortcut to be allowed in production. */
  variable: "LYCEUM_UNSAFE_LOCAL_BILLING" | "LYCEUM_UNSAFE_FAULT_INJECTION" | "LYCEUM_UNSAFE_PRIVATE_SMTP" | "LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR";
  what: string;
  /** What a real deployment sets instead. */
  instead: string;
  isOn: (config: ParsedEnv) => boolean;
};

const UNSAFE_SHORTCUTS: readonly UnsafeShortcut[] = [
  {
    variable: "LYCEUM_UNSAFE_LOCAL_BILLING",
    what: "local billing: checkout is free (no STRIPE_SECRET_KEY), and webhooks may be signed with a published secret",
    instead: "set STRIPE_SECRET_KEY, the STRIPE_PRICE_* of every plan and the endpoint's STRIPE_WEBHOOK_SECRET",
    isOn: (config) => !config.STRIPE_SECRET_KEY,
  },
  {
    variable: "LYCEUM_UNSAFE_FAULT_INJECTION",
    what: "fault injection: rows in fault_injections make pipeline steps fail (LYCEUM_ENABLE_FAULT_INJECTION=1)",
    instead: "unset LYCEUM_ENABLE_FAULT_INJECTION",
    isOn: (config) => config.LYCEUM_ENABLE_FAULT_INJECTION,
  },
  {
    variable: "LYCEUM_UNSAFE_PRIVATE_SMTP",
    what: "private SMTP: \"Test connection\" may reach loopback and private networks (LYCEUM_ALLOW_PRIVATE_SMTP=1)",
    instead: "unset LYCEUM_ALLOW_PRIVATE_SMTP",
    isOn: (config) => config.LYCEUM_ALLOW_PRIVATE_SMTP,
  },
  {
    variable: "LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR",
    what: "staff without two-factor: staff accounts reach the staff console on a password alone (LYCEUM_STAFF_WITHOUT_TWO_FACTOR=1)",
    instead: "unset LYCEUM_STAFF_WITHOUT_TWO_FACTOR",
    isOn: (config) => config.LYCEUM_STAFF_WITHOUT_TWO_FACTOR,
  },
];

/** The shortcuts a production configuration uses (none outside production: there they are the defaults). */
export function unsafeShortcutsInUse(config: ParsedEnv): UnsafeShortcut[] {
  if (config.NODE_ENV !== "production") return [];
  return UNSAFE_SHORTCUTS.filter((shortcut) => shortcut.isOn(config));
}

/** One configuration error line per shortcut in use that its variable does not allow. */
export function unallowedShortcutProblems(config: ParsedEnv): string[] {
  return unsafeShortcutsInUse(config)
    .filter((shortcut) => !config[shortcut.variable])
    .map(
      (shortcut) =>
        `  ${shortcut.variable}: must be 1 to run with ${shortcut.what} under NODE_ENV=production. ` +
        `For a real deployment, ${shortcut.instead}; for a throwaway one (tests, demos), set ${shortcut.variable}=1.`,
    );
}

/** The start banner's warning, or null when no shortcut is in use. */
export function unsafeShortcutsBanner(shortcuts: readonly Pick<UnsafeShortcut, "variable" | "what">[], service: string): string | null {
  if (shortcuts.length === 0) return null;
  const rule = "!".repeat(100);
  return [
    rule,
    `!!! UNSAFE: this ${service} runs in production mode with development shortcuts. Never let real users reach it.`,
    ...shortcuts.map((shortcut) => `!!!   ${shortcut.variable}=1: ${shortcut.what}`),
    rule,
  ].join("\n");
}
