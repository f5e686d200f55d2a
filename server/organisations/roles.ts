// Which member role satisfies which need. The roles are not a ladder: billing pays and sees invoices but changes
// nothing, admin changes everything but payment, owner does all of it, and every member may read.
import type { OrganisationRole } from "@/db/schema";

export const ORGANISATION_ROLES = ["owner", "admin", "billing", "viewer"] as const satisfies readonly OrganisationRole[];

const GRANTS: Record<OrganisationRole, readonly OrganisationRole[]> = {
  owner: ["owner", "admin", "billing", "viewer"],
  admin: ["admin", "viewer"],
  billing: ["billing", "viewer"],
  viewer: ["viewer"],
};

/** Whether a member holding `held` may do what needs `needed`. */
export function roleSatisfies(held: OrganisationRole | null | undefined, needed: OrganisationRole): boolean {
  return held ? GRANTS[held].includes(needed) : false;
}

/** The roles that satisfy `needed` (for the queries that list what a member may reach). */
export function rolesSatisfying(needed: OrganisationRole): OrganisationRole[] {
  return ORGANISATION_ROLES.filter((held) => roleSatisfies(held, needed));
}

export const ROLE_LABELS: Record<OrganisationRole, string> = {
  owner: "Owner: everything, including removing members and transferring ownership",
  admin: "Admin: settings, redeploys, backups and upgrades",
  billing: "Billing: payment and invoices",
  viewer: "Viewer: read only",
};
