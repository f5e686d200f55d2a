// How each tRPC procedure reaches the instance or organisation its input names, read from the built router: the
// architecture test lists it, the role table calls every procedure as every role from it.
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { z } from "zod";
import type { OrganisationRole } from "@/db/schema";
import { accessChecks, type ProcedureMeta } from "@/server/api/trpc";
import { describeAccess, type InstanceAccess } from "@/server/instances/access";

const SUBJECT_KEYS = ["id", "instanceId", "organisationId"];

// At run time a procedure keeps its middlewares and input parsers (its type does not say so).
type BuiltProcedure = AnyProcedure & { _def: { middlewares: unknown[]; inputs: z.ZodType[]; meta?: ProcedureMeta; type: string } };

/** The keys of a zod object, through the wrappers an input may have (optional, default, …). */
function keysOf(schema: z.ZodType): string[] {
  const def = schema._zod.def as { type: string; shape?: Record<string, unknown>; innerType?: z.ZodType; in?: z.ZodType };
  if (def.type === "object") return Object.keys(def.shape ?? {});
  const inner = def.innerType ?? def.in;
  return inner ? keysOf(inner) : [];
}

export const BYPASS = "BYPASSES THE ACCESS PATH";

export type CheckedProcedure = {
  path: string;
  type: string;
  key: string;
  subject: "instance" | "organisation";
  /** The member role it declares, and whether staff get in too (instances only). */
  role: OrganisationRole | null;
  staff: boolean;
};

/** Every procedure that goes through an access check, with the role it declares. */
export function checkedProcedures(router: AnyRouter): CheckedProcedure[] {
  const procedures = router._def.procedures as unknown as Record<string, BuiltProcedure>;
  return Object.entries(procedures).flatMap(([path, procedure]) => {
    const check = procedure._def.middlewares.map((middleware) => accessChecks.get(middleware)).find(Boolean);
    if (!check) return [];
    const base = { path, type: procedure._def.type, key: check.key, subject: check.kind };
    if (check.kind === "organisation") return [{ ...base, role: check.role, staff: false }];
    const access: InstanceAccess = check.access;
    return [{ ...base, role: access === "staff" ? null : access.role, staff: access === "staff" || access.staff }];
  });
}

/**
 * How each procedure whose input names an instance or an organisation reaches it: the access its check grants
 * ("admin or staff", "billing", "staff", "organisation: owner"), "staff action", the reason it is exempt, or
 * BYPASS — also when it takes a second id its check did not load.
 */
export function accessOf(router: AnyRouter, exemptions: Record<string, string> = {}): Record<string, string> {
  const procedures = router._def.procedures as unknown as Record<string, BuiltProcedure>;
  const found: Record<string, string> = {};
  for (const [path, procedure] of Object.entries(procedures)) {
    const subjectKeys = [...new Set(procedure._def.inputs.flatMap(keysOf))].filter((key) => SUBJECT_KEYS.includes(key));
    if (subjectKeys.length === 0) continue;
    const check = procedure._def.middlewares.map((middleware) => accessChecks.get(middleware)).find(Boolean);
    if (exemptions[path]) found[path] = `exempt: ${exemptions[path]}`;
    else if (check) {
      const unchecked = subjectKeys.filter((key) => key !== check.key);
      const granted = check.kind === "instance" ? describeAccess(check.access) : `organisation: ${check.role}`;
      found[path] = unchecked.length === 0 ? granted : `${BYPASS} (${unchecked.join(", ")} unchecked)`;
    } else if (procedure._def.meta?.staffAction) found[path] = "staff action";
    else found[path] = BYPASS;
  }
  return found;
}
