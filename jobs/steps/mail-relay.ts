// The instance's own credential for the instance mail relay (server/mail/relay/): minted once, kept sealed in the
// ledger, handed to the VM in place of the platform relay's password; removing the ledger entry revokes it.
import { newServicePassword } from "@/server/crypto/passwords";
import { mailRelayEndpoint } from "@/server/mail/relay/endpoint";
import type { PipelineStep } from "../runner/types";
import { removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureMailRelayCredential: PipelineStep = {
  name: "mail_relay",
  title: "Issue the instance's mail relay credential",
  async run(ctx) {
    const { user } = resourceNamesOf(ctx).mailRelay;
    const endpoint = mailRelayEndpoint(ctx.env);
    // Where the relay is comes from the platform's configuration: the details are refreshed on every run, so a
    // moved relay reaches the next deployment. The token is minted once and reused (a retry, a redeploy).
    const details = { ...endpoint.public, tls: endpoint.tls };
    await ctx.ledger.recordBeforeCreating("mail.relay_credential", user, details, () => ({ password: newServicePassword() }));
    return `mail relay user ${user} for ${endpoint.public.host}:${endpoint.public.port}${endpoint.tls === "starttls" ? " (STARTTLS)" : ""}`;
  },
};

export const removeMailRelayCredential: PipelineStep = {
  name: "remove_mail_relay",
  title: "Revoke the instance's mail relay credential",
  async run(ctx) {
    // The relay accepts only live ledger entries: marking it deleted is the revocation.
    const revoked: string[] = [];
    const result = await removeRecorded(ctx, "mail.relay_credential", async (entry) => {
      revoked.push(entry.externalId);
      return { existed: true };
    });
    return result.total === 0 ? "no mail relay credential was recorded" : `revoked mail relay user ${revoked.join(", ")}`;
  },
};
