// An instance's TLS certificates: what covers its names (and why an issuance failed), and the owner's upload.
import { TRPCError } from "@trpc/server";
import { canSeeInstance } from "@/server/auth/roles";
import { ClientCertificateError } from "@/server/certificates/client-certificate";
import { acceptClientCertificate } from "@/server/certificates/client-upload";
import { clientCertificateInput } from "@/server/certificates/input";
import { instanceCertificateView } from "@/server/certificates/store";
import { instanceIdInput } from "@/server/instances/input";
import { instanceById } from "@/server/instances/queries";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const certificatesRouter = createTRPCRouter({
  forInstance: protectedProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    const instance = await instanceById(input.id);
    if (!instance || !canSeeInstance(ctx.user, instance)) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    return instanceCertificateView(ctx.db, instance.id);
  }),

  /** Owner only: staff do not hold clients' private keys on their behalf. */
  upload: protectedProcedure.input(clientCertificateInput).mutation(async ({ ctx, input }) => {
    const instance = await instanceById(input.instanceId);
    if (!instance || instance.ownerId !== ctx.user.id) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    if (["deprovisioning", "deprovisioned"].includes(instance.status)) {
      throw new TRPCError({ code: "BAD_REQUEST", message: "This instance is being removed." });
    }
    try {
      return await acceptClientCertificate(ctx.db, instance, input);
    } catch (error) {
      if (error instanceof ClientCertificateError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
      throw error;
    }
  }),
});
