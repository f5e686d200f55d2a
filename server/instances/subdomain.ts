// The subdomain rules, one zod schema used by the registration form and re-checked by the server.
import { z } from "zod";
import { ONE_LABEL_PREFIXES } from "./hostnames";

const RESERVED_SUBDOMAINS = new Set([
  "www", "api", "admin", "staff", "studio", "preview", "mail", "smtp", "status", "help", "support", "docs",
  "billing", "app", "apps", "dashboard", "lyceum", "portal", "static", "media", "cdn", "assets", "ftp", "imap",
  "pop", "ns1", "ns2", "localhost", "webmail", "auth", "login", "signup", "account", "accounts", "test",
]);

const SUBDOMAIN_MIN_LENGTH = 3;
const SUBDOMAIN_MAX_LENGTH = 40;

export const subdomainSchema = z
  .string()
  .trim()
  .transform((value) => value.toLowerCase())
  .superRefine((value, ctx) => {
    const problem = subdomainProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Why a (lower-cased) subdomain is not allowed, in words a non-engineer understands; null when it is. */
function subdomainProblem(value: string): string | null {
  if (value.length === 0) return "Choose a subdomain.";
  if (value.length < SUBDOMAIN_MIN_LENGTH) return `Use at least ${SUBDOMAIN_MIN_LENGTH} characters.`;
  if (value.length > SUBDOMAIN_MAX_LENGTH) return `Use at most ${SUBDOMAIN_MAX_LENGTH} characters.`;
  if (!/^[a-z0-9-]+$/.test(value)) return "Use only letters a–z, digits and hyphens.";
  if (value.startsWith("-") || value.endsWith("-")) return "A subdomain cannot start or end with a hyphen.";
  if (value.includes("--")) return "Use single hyphens only.";
  if (RESERVED_SUBDOMAINS.has(value)) return `"${value}" is reserved. Choose another subdomain.`;
  // studio-acme.<base> is instance acme's Studio: as another instance's LMS it would take acme's names.
  const prefix = ONE_LABEL_PREFIXES.find((reserved) => value.startsWith(reserved));
  if (prefix) return `A subdomain cannot start with "${prefix}": those names belong to each instance's Studio, preview and apps.`;
  return null;
}
