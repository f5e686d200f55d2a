// The one place domain errors become tRPC errors. Domain code (server/instances, server/billing, …) throws its
// own errors and never a TRPCError; every procedure runs under the middleware in ./trpc.ts that calls this.
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { BackupNotFoundError } from "@/server/backups/requests";
import { CheckoutRefusedError, PaymentNotAllowedError } from "@/server/billing/checkout";
import { LocalBillingError } from "@/server/billing/local/simulator";
import { ClientCertificateError } from "@/server/certificates/client-certificate";
import { FieldRefusedError } from "@/server/forms/field-refused-error";
import { InstanceNotFoundError } from "@/server/instances/access";
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { IllegalTransitionError } from "@/server/instances/lifecycle";
import { OperationNotCancellableError } from "@/server/instances/operation-cancelling";
import { OperationInProgressError } from "@/server/instances/operations";
import { SettingsApplyBlockedError } from "@/server/instances/reconfigure";
import { OrganisationNotFoundError } from "@/server/organisations/access";
import { InvitationRefusedError, MembershipRefusedError } from "@/server/organisations/members";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";

type ErrorClass = abstract new (...args: never[]) => Error;

/** Each domain error's answer; the message is the domain error's own, written for the person who asked. */
const CODES: [ErrorClass, TRPC_ERROR_CODE_KEY][] = [
  // Not there, or not this user's: the same answer (server/instances/access.ts).
  [InstanceNotFoundError, "NOT_FOUND"],
  [BackupNotFoundError, "NOT_FOUND"],
  [OrganisationNotFoundError, "NOT_FOUND"],
  // Not possible as things stand: the message says what to do instead.
  [InstanceActionRefusedError, "BAD_REQUEST"],
  [IllegalTransitionError, "BAD_REQUEST"],
  [CheckoutRefusedError, "BAD_REQUEST"],
  [ClientCertificateError, "BAD_REQUEST"],
  [LocalBillingError, "BAD_REQUEST"],
  [MembershipRefusedError, "BAD_REQUEST"],
  [InvitationRefusedError, "BAD_REQUEST"],
  // Someone else's to do (another person started the operation; only owners and billing members pay).
  [OperationNotCancellableError, "FORBIDDEN"],
  [PaymentNotAllowedError, "FORBIDDEN"],
  // Something else runs on the instance first.
  [OperationInProgressError, "CONFLICT"],
  [SettingsApplyBlockedError, "CONFLICT"],
  // ./http.ts reads the wait from the cause for the Retry-After header.
  [RateLimitedError, "TOO_MANY_REQUESTS"],
];

/** The tRPC error that answers a domain error, or null for anything else (which stays an internal error). */
export function trpcErrorOf(error: unknown): TRPCError | null {
  if (error instanceof FieldRefusedError) {
    // The cause is the ZodError the forms read field messages from (trpc.ts's errorFormatter).
    return new TRPCError({ code: error.isConflict ? "CONFLICT" : "BAD_REQUEST", message: error.message, cause: error.cause as ZodError });
  }
  const code = CODES.find(([errorClass]) => error instanceof errorClass)?.[1];
  if (!code || !(error instanceof Error)) return null;
  // A refusal about a failed check of saved values keeps that check's ZodError as the cause, for the same reason.
  return new TRPCError({ code, message: error.message, cause: error.cause instanceof ZodError ? error.cause : error });
}
