// Claiming every hostname an instance would serve, once across the fleet (table instance_hostnames): a custom
// domain that is another instance's Studio name, or the portal's own address, is refused when it is chosen, long
// before a certificate or the load balancer could be confused by it.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceHostnames, type NewInstanceHostname } from "@/db/schema";
import { HOSTNAME_ROLES, hostnamesUnder, nestedPlatformHostnames, platformHostnames, type Hostnames } from "@/server/instances/hostnames";
import { displayDomain } from "./display";

/** The form field a refused name comes from. */
type HostnameField = "subdomain" | "customDomain";

/** A name the instance cannot have: `isTaken` when another instance holds it, else it is the platform's own. */
export class HostnameClaimError extends Error {
  constructor(
    readonly field: HostnameField,
    readonly hostname: string,
    readonly isTaken: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** What belongs to the platform: the hosting domain instances live under, and the portal's own hostname. */
type PlatformNames = { baseDomain: string; portalHostname: string };

/** The portal's hostname, from its public URL (LYCEUM_PUBLIC_URL). */
export function portalHostnameOf(publicUrl: string): string {
  return new URL(publicUrl).hostname.toLowerCase().replace(/\.$/, "");
}

type Claim = { row: NewInstanceHostname; field: HostnameField };

function claimsUnder(instanceId: string, names: Partial<Hostnames>, source: NewInstanceHostname["source"], field: HostnameField): Claim[] {
  return (Object.entries(names) as [keyof Hostnames, string][]).map(([kind, hostname]) => ({ row: { instanceId, hostname: hostname.toLowerCase(), kind, source }, field }));
}

/**
 * Why `claim` would take a name of the portal's, or null. The portal's hostname and every name below it are the
 * platform's; names under the hosting domain are the exception when the portal sits at (or above) the hosting
 * domain itself, as `lyceum.example` does for `<subdomain>.lyceum.example`.
 */
function portalProblem({ row, field }: Claim, platform: PlatformNames): string | null {
  const portal = platform.portalHostname;
  const isPortal = row.hostname === portal;
  const isBelowPortal = row.hostname.endsWith(`.${portal}`);
  const isHostingBelowPortal = platform.baseDomain === portal || platform.baseDomain.endsWith(`.${portal}`);
  if (!isPortal && !(isBelowPortal && !(row.source === "subdomain" && isHostingBelowPortal))) return null;
  const what = field === "subdomain" ? "this subdomain" : "this domain";
  return `${displayDomain(portal)} is Lyceum's own address: it and the names below it cannot be used (${what} would give this instance ${displayDomain(row.hostname)} for its ${HOSTNAME_ROLES[row.kind]}).`;
}

function takenMessage({ row, field }: Claim, subdomain: string | null): string {
  if (field === "subdomain") return `"${subdomain}" is already taken. Choose another subdomain.`;
  // Says which of this instance's names clashes, never whose it is.
  return `${displayDomain(row.hostname)}, this domain's address for the ${HOSTNAME_ROLES[row.kind]}, is already used by another Lyceum instance. Choose another domain.`;
}

/**
 * Makes the instance's claims exactly the names its subdomain and custom domain give it, in the caller's
 * transaction (the one that saves them). The primary key decides races: of two transactions claiming one name,
 * the second waits for the first and, once it commits, is refused; rows are written in name order, so two
 * claims never wait on each other in a cycle.
 */
export async function claimInstanceHostnames(
  tx: Queryable,
  instanceId: string,
  names: { subdomain: string | null; customDomain: string | null; hasNestedHostnames?: boolean },
  platform: PlatformNames,
): Promise<void> {
  // An instance not yet moved to the one-label names holds both sets until its redeploy retires the nested ones.
  const nested = names.subdomain && names.hasNestedHostnames ? nestedPlatformHostnames(names.subdomain, platform.baseDomain) : null;
  const claims = [
    ...(names.subdomain ? claimsUnder(instanceId, platformHostnames(names.subdomain, platform.baseDomain), "subdomain", "subdomain") : []),
    ...(nested ? claimsUnder(instanceId, { studio: nested.studio, preview: nested.preview, apps: nested.apps }, "subdomain", "subdomain") : []),
    ...(names.customDomain ? claimsUnder(instanceId, hostnamesUnder(names.customDomain), "custom_domain", "customDomain") : []),
  ];
  for (const claim of claims) {
    const problem = portalProblem(claim, platform);
    if (problem) throw new HostnameClaimError(claim.field, claim.row.hostname, false, problem);
  }
  const inNameOrder = claims.map((claim) => claim.row).sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  await tx.delete(instanceHostnames).where(eq(instanceHostnames.instanceId, instanceId));
  if (claims.length === 0) return;
  const inserted = await tx
    .insert(instanceHostnames)
    .values(inNameOrder)
    .onConflictDoNothing({ target: instanceHostnames.hostname })
    .returning({ hostname: instanceHostnames.hostname });
  const won = new Set(inserted.map((row) => row.hostname));
  // Reported in the instance's own order (LMS first), the name a person recognises.
  const lost = claims.find((claim) => !won.has(claim.row.hostname));
  if (lost) throw new HostnameClaimError(lost.field, lost.row.hostname, true, takenMessage(lost, names.subdomain));
}
