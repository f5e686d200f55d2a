// The tRPC context and the three kinds of procedure: public, protected (signed in) and staff.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Database } from "@/db";
import type { User } from "@/db/schema";
import { isStaff } from "@/server/auth/roles";
import { fieldErrorsOf } from "./field-errors";

/** Built per request in ./context.ts (from the Auth.js session), or directly by tests. */
export type TRPCContext = { db: Database; user: User | null; headers: Headers };

const t = initTRPC.context<TRPCContext>().create({
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

export const publicProcedure = t.procedure;

export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const staffProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!isStaff(ctx.user)) throw new TRPCError({ code: "FORBIDDEN", message: "This is for Lyceum staff only." });
  return next({ ctx });
});
