// The tRPC context and the three kinds of procedure: public, protected (signed in) and staff.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Database } from "@/db";
import type { User } from "@/db/schema";
import { isStaff } from "@/server/auth/roles";
import { withLogContext } from "@/server/observability/log-context";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";
import { logger } from "@/server/observability/logger";
import { fieldErrorsOf } from "./field-errors";

/** Built per request in ./context.ts (from the Auth.js session), or directly by tests. */
export type TRPCContext = { db: Database; user: User | null; headers: Headers };

/** What a procedure says about itself; `staffAction` marks a mutation run (and audited) by runStaffAction. */
export type ProcedureMeta = { staffAction?: string };

const t = initTRPC.context<TRPCContext>().meta<ProcedureMeta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field-level messages for the forms (keyed by dotted path); the same zod schema produced them on the client.
        fieldErrors: error.cause instanceof ZodError ? fieldErrorsOf(error.cause) : null,
      },
    };
  },
});

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

/** A refused attempt (domain RateLimitedError) is a 429; ./http.ts adds its Retry-After header. */
const rateLimitsAs429 = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof RateLimitedError) {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: result.error.cause.message, cause: result.error.cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(inLogContext).use(rateLimitsAs429);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const staffProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!isStaff(ctx.user)) throw new TRPCError({ code: "FORBIDDEN", message: "This is for Lyceum staff only." });
  return next({ ctx });
});
