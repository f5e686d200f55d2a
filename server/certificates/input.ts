// The upload form's input: parsed by the same schema in the browser and in the procedure.
import { z } from "zod";

const MAX_PEM_CHARS = 64_000;

export const clientCertificateInput = z.object({
  instanceId: z.uuid("That is not an instance id."),
  chainPem: z.string().trim().min(1, "Paste the certificate chain (PEM).").max(MAX_PEM_CHARS, "That chain is too long."),
  privateKeyPem: z.string().trim().min(1, "Paste the private key (PEM).").max(MAX_PEM_CHARS, "That key is too long."),
});
