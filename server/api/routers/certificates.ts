// An instance's TLS certificates: what covers its names (and why an issuance failed), and the owner's upload.
import { TRPCError } from "@trpc/server";
import { acceptClientCertificate } from "@/server/certificates/client-upload";
import { clientCertificateInput } from "@/server/certificates/input";
import { instanceCertificateView } from "@/server/certificates/store";
import { createTRPCRouter, instanceProcedure, instanceProcedureOf } from "../trpc";

export const certificatesRouter = createTRPCRouter({
  forInstance: instanceProcedure("viewer").query(({ ctx }) => instanceCertificateView(ctx.db, ctx.instance.id)),

  /** Owner only: staff do not hold clients' private keys on their behalf. */
  upload: instanceProcedureOf({ role: "admin", staff: false }, "instanceId")
    .input(clientCertificateInput)
    .mutation(({ ctx, input }) => {
      if (["deprovisioning", "deprovisioned"].includes(ctx.instance.status)) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "This instance is being removed." });
      }
      return acceptClientCertificate(ctx.db, ctx.instance, input);
    }),
});
