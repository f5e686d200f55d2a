// Custom domains: any valid fully qualified name, internationalised ones included (stored as punycode,
// shown in Unicode), never under the platform's own base domain.
import { z } from "zod";

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/**
 * Why `input` is not a usable custom domain, in plain words; or its ASCII (punycode) form. `baseDomain` is
 * the platform's: names under it belong to Lyceum.
 */
export function parseCustomDomain(input: string, baseDomain: string): { domain: string } | { problem: string } {
  const trimmed = input.trim().replace(/\.$/, "");
  if (trimmed === "") return { problem: "Enter a domain name, like learn.school.org." };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || trimmed.includes("/")) {
    return { problem: "Enter only the domain name, without http:// or a path." };
  }
  if (/\s/.test(trimmed)) return { problem: "A domain name cannot contain spaces." };
  const ascii = toAscii(trimmed);
  if (ascii === null) return { problem: "That is not a valid domain name." };
  if (ascii.length > MAX_NAME_LENGTH) return { problem: `A domain name can be at most ${MAX_NAME_LENGTH} characters long.` };
  const labels = ascii.split(".");
  if (labels.length < 2) return { problem: "Enter a full domain name with a dot, like learn.school.org." };
  for (const label of labels) {
    if (label.length === 0) return { problem: "A domain name cannot contain two dots in a row." };
    if (label.length > MAX_LABEL_LENGTH) {
      return { problem: `Each part between dots can be at most ${MAX_LABEL_LENGTH} characters long.` };
    }
    if (!/^[a-z0-9-]+$/.test(label)) return { problem: "Use only letters, digits and hyphens between the dots." };
    if (label.startsWith("-") || label.endsWith("-")) return { problem: "A part between dots cannot start or end with a hyphen." };
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) return { problem: "Enter a domain name, not an IP address." };
  const base = baseDomain.toLowerCase();
  if (ascii === base || ascii.endsWith(`.${base}`)) {
    return { problem: `Names under ${base} are provided by Lyceum: use your subdomain for those, or a domain of your own.` };
  }
  return { domain: ascii };
}

/** The zod form of parseCustomDomain, for one base domain (the server's configuration). */
export function customDomainSchema(baseDomain: string) {
  return z.string().transform((value, ctx) => {
    const result = parseCustomDomain(value, baseDomain);
    if ("problem" in result) {
      ctx.addIssue({ code: "custom", message: result.problem });
      return z.NEVER;
    }
    return result.domain;
  });
}

/**
 * The punycode form of a (possibly internationalised) name, by the WHATWG URL parser's IDNA processing: the
 * same in the browser (the form's check) and in Node (the server's).
 */
function toAscii(name: string): string | null {
  if (/[/?#@:\\[\]%]/.test(name)) return null;
  try {
    return new URL(`http://${name}/`).hostname.toLowerCase();
  } catch {
    return null;
  }
}
