// Once per fault run. No shared database: each fault file starts an embedded Postgres of its own
// (tests/faults/helpers/own-postgres.ts), which it may stop and restart. tests/setup/env.ts still reads these.
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject) {
  const unset = "postgres://unset@127.0.0.1:1/each_fault_file_starts_its_own_postgres";
  project.provide("databaseUrl", unset);
  project.provide("adminDatabaseUrl", unset);
  project.provide("databasePrefix", "lyceum_fault");
}
