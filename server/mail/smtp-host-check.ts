// Saving a client's own SMTP server: its host must be on the public internet. The deployed site connects to it
// from inside our cloud network, so a host on loopback, a private network or the metadata address
// (169.254.169.254) would turn the site's mailer into a way into that network. "Test connection" checks the
// same before connecting (./smtp-test.ts); checking on save too means settings never skipped that test hold.
import { Resolver } from "node:dns/promises";
import { env } from "@/server/env";
import { NonPublicAddressError, resolvePublicAddresses } from "@/server/net/public-address";

/** Why `host` cannot be saved as the instance's SMTP server, in words for the form; null when it can. */
export async function smtpHostProblem(host: string): Promise<string | null> {
  const config = env();
  if (config.LYCEUM_ALLOW_PRIVATE_SMTP) return null;
  // The configured resolver, when there is one, is the one Lyceum checks client-given names through.
  const resolver = config.LYCEUM_DNS_RESOLVER ? new Resolver({ timeout: 3000, tries: 2 }) : undefined;
  resolver?.setServers([config.LYCEUM_DNS_RESOLVER!]);
  try {
    await resolvePublicAddresses(host, { resolver });
    return null;
  } catch (error) {
    if (error instanceof NonPublicAddressError) return `${error.message} Lyceum sends mail only through servers on the public internet.`;
    const code = (error as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return `The server name ${host} could not be found (DNS). Check the spelling.`;
    return `The server name ${host} could not be looked up just now (${code ?? (error as Error).message}). Try again in a moment.`;
  }
}
