// The Domain step's input: a subdomain (required) and an optional custom domain, checked for one base domain.
import { z } from "zod";
import { subdomainSchema } from "@/server/instances/subdomain";
import { customDomainSchema } from "./custom-domain";

export function domainStepInput(baseDomain: string) {
  return z.object({
    subdomain: subdomainSchema,
    customDomain: z
      .string()
      .max(300, "That domain name is too long.")
      .optional()
      .transform((value) => (value?.trim() ? value : undefined))
      .pipe(customDomainSchema(baseDomain).optional())
      .transform((value) => value ?? null),
  });
}
