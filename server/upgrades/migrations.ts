// Whether an upgrade's migrations changed the instance's databases, which decides what a rollback must do.
import type { Release } from "@/db/schema";

/**
 * On a VM every new release's `tutor local do init` migrates the databases (Django's migrations come with the
 * code), so an upgrade there always has; the local site stand-in runs only the SQL its release declares.
 */
export function hasMigrationsThatChangeData(release: Pick<Release, "migrations">, computeDriver: string): boolean {
  return computeDriver !== "local" || release.migrations.length > 0;
}
