// The tRPC context and the kinds of procedure: public, protected (signed in), staff, the three about one instance
// (instanceProcedure(role), memberProcedure(role), staffInstanceProcedure) and the one about an organisation
// (organisationProcedure(role)), which load it through the one access path with the role they declare.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Database } from "@/db";
import type { OrganisationRole, User } from "@/db/schema";
import { isStaff, isStaffMissingTwoFactor, STAFF_TWO_FACTOR_MESSAGE } from "@/server/auth/roles";
import { fieldErrorsOf } from "@/server/forms/field-errors";
import { instanceFor, type InstanceAccess } from "@/server/instances/access";
import { organisationFor } from "@/server/organisations/access";
import { withLogContext } from "@/server/observability/log-context";
import { logger } from "@/server/observability/logger";
import { trpcErrorOf } from "./domain-errors";

/** Built per request in ./context.ts (from the Auth.js session), or directly by tests. */
export type TRPCContext = { db: Database; user: User | null; headers: Headers };

/** What a procedure says about itself; `staffAction` marks a mutation run (and audited) by runStaffAction. */
export type ProcedureMeta = { staffAction?: string };

const t = initTRPC.context<TRPCContext>().meta<ProcedureMeta>().create({
  transformer: superjson,
  errorFormatter({ shape, error, ctx }) {
    const answer = {
      ...shape,
      data: {
        ...shape.data,
        // Field-level messages for the forms (keyed by dotted path); the same zod schema produced them on the client.
        fieldErrors: error.cause instanceof ZodError ? fieldErrorsOf(error.cause) : null,
      },
    };
    return error.code === "INTERNAL_SERVER_ERROR" ? internalErrorShape(answer, ctx?.headers.get("x-request-id")) : answer;
  },
});

/**
 * What the caller learns of a failure on our side: that it happened and the request's id, which names the full
 * error in the log (server/api/http.ts). The error's own text is not for clients: drizzle's names the failed SQL and
 * its parameters (other accounts' addresses among them), postgres.js's the database's host, role and tables.
 */
function internalErrorShape<Shape extends { message: string; data: { stack?: string } }>(shape: Shape, requestId: string | null | undefined): Shape {
  const reference = requestId ? ` If it keeps happening, contact support and quote request ${requestId}.` : "";
  const data = { ...shape.data };
  delete data.stack;
  return { ...shape, message: `Something went wrong on our side; it has been logged.${reference}`, data };
}

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every log line written while a procedure runs names the request, the procedure, the user and the instance. */
const inLogContext = t.middleware(async ({ ctx, path, type, getRawInput, next }) => {
  const raw = (await getRawInput().catch(() => undefined)) as { id?: unknown; instanceId?: unknown } | undefined;
  // The instance's id also decides which tenant's secrets are scrubbed from the line (observability/redact.ts).
  const isAboutInstance = path.startsWith("instances.") || path.startsWith("registration.") || path === "staff.instance";
  const instanceId = raw?.instanceId ?? (isAboutInstance ? raw?.id : undefined);
  return withLogContext(
    {
      requestId: ctx.headers.get("x-request-id") ?? undefined,
      procedure: path,
      userId: ctx.user?.id,
      instanceId: typeof instanceId === "string" ? instanceId : undefined,
    },
    async () => {
      const startedAt = performance.now();
      const result = await next();
      logger().debug({ type, ok: result.ok, durationMs: Math.round(performance.now() - startedAt) }, "procedure");
      return result;
    },
  );
});

/** Domain errors thrown below become the tRPC errors ./domain-errors.ts answers them with. */
const domainErrorsAnswered = t.middleware(async ({ next }) => {
  const result = await next();
  const answer = result.ok ? null : trpcErrorOf(result.error.cause);
  if (answer) throw answer;
  return result;
});

const publicProcedure = t.procedure.use(inLogContext).use(domainErrorsAnswered);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const staffProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!isStaff(ctx.user)) throw new TRPCError({ code: "FORBIDDEN", message: "This is for Lyceum staff only." });
  if (isStaffMissingTwoFactor(ctx.user)) throw new TRPCError({ code: "FORBIDDEN", message: STAFF_TWO_FACTOR_MESSAGE });
  return next({ ctx });
});

/**
 * The middlewares that load the instance or organisation a procedure is about, with the access each grants: the
 * architecture test (tests/architecture/instance-access.test.ts) finds by them which procedures go through the
 * access path and which role each declares, and the role table (tests/role-table.test.ts) calls each as every role.
 */
export const accessChecks = new Map<unknown, { kind: "instance"; access: InstanceAccess; key: string } | { kind: "organisation"; role: OrganisationRole; key: string }>();

/**
 * A procedure about the instance its input names under `key`, for users `access` lets reach it
 * (server/instances/access.ts); the instance is `ctx.instance`. Anyone else is told it does not exist.
 */
export function instanceProcedureOf<K extends "id" | "instanceId">(access: InstanceAccess, key: K) {
  const input = z.object({ [key]: z.uuid("That is not an instance id.") } as Record<K, z.ZodUUID>);
  const procedure = (access === "staff" ? staffProcedure : protectedProcedure)
    .input(input)
    .use(async ({ ctx, input, next }) => next({ ctx: { instance: await instanceFor(ctx.user, (input as Record<string, string>)[key]!, access) } }));
  // The check just added is the procedure's last middleware.
  accessChecks.set(procedure._def.middlewares.at(-1), { kind: "instance", access, key });
  return procedure;
}

/** About one instance, for members whose role satisfies `role`, and for staff (the instance page and its operations). */
export const instanceProcedure = (role: OrganisationRole) => instanceProcedureOf({ role, staff: true }, "id");
/** About one instance, for members whose role satisfies `role` only: staff do not act as the client (drafts, settings, paying). */
export const memberProcedure = (role: OrganisationRole) => instanceProcedureOf({ role, staff: false }, "id");
/** The staff console's view of any instance. */
export const staffInstanceProcedure = instanceProcedureOf("staff", "id");

/**
 * A procedure about the organisation its input names as `organisationId`, for its members whose role satisfies
 * `role` (server/organisations/access.ts); the organisation and the caller's role are `ctx.organisation` and
 * `ctx.role`. Anyone else is told it does not exist; staff have no way in here.
 */
export function organisationProcedure(role: OrganisationRole) {
  const procedure = protectedProcedure
    .input(z.object({ organisationId: z.uuid("That is not an organisation id.") }))
    .use(async ({ ctx, input, next }) => next({ ctx: await organisationFor(ctx.user, input.organisationId, role) }));
  accessChecks.set(procedure._def.middlewares.at(-1), { kind: "organisation", role, key: "organisationId" });
  return procedure;
}
