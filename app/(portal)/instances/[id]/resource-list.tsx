"use client";
// What exists for the instance on the clusters: names only (secrets never leave the server).
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { isEntryOf } from "@/server/instances/ledger-entry";
import type { LedgerKind } from "@/server/instances/ledger-kinds";

export type ResourceRow = inferRouterOutputs<AppRouter>["instances"]["resources"][number];

const KIND_LABELS: Partial<Record<LedgerKind, string>> = {
  "mysql.database": "MySQL database",
  "mysql.user": "MySQL user",
  "mongodb.database": "MongoDB database",
  "mongodb.user": "MongoDB user",
  "rabbitmq.vhost": "RabbitMQ virtual host",
  "rabbitmq.user": "RabbitMQ user",
  "s3.bucket": "Storage bucket",
  "s3.access_key": "Storage access key",
  "s3.principal": "Storage IAM user",
  "compute.server": "Application server",
  "compute.services_server": "Services server (memcached, Elasticsearch)",
  "mail.relay_credential": "Mail relay account",
};

/** What a person wants to know beside the name: whose database, which vhost, which grants. */
function describe(row: ResourceRow): string {
  if (isEntryOf(row, "mysql.user")) {
    const { access, databases } = row.details;
    return `${access === "read-only" ? "reads" : "owns"} ${databases.length} database${databases.length === 1 ? "" : "s"}`;
  }
  if (isEntryOf(row, "mysql.database")) return `for ${row.details.service}`;
  if (isEntryOf(row, "rabbitmq.user")) return `on vhost ${row.details.vhost}`;
  if (isEntryOf(row, "s3.access_key")) return `for bucket ${row.details.bucket}`;
  if (isEntryOf(row, "s3.bucket")) return "private, versioned";
  if (isEntryOf(row, "compute.server") && row.details.address) return row.details.address;
  if (isEntryOf(row, "compute.services_server")) return `${row.details.flavor}${row.details.address ? ` at ${row.details.address}` : ""}`;
  if (isEntryOf(row, "mail.relay_credential")) return `sends through ${row.details.host}:${row.details.port}`;
  return "";
}

export function ResourceList({ instanceId, initialResources }: { instanceId: string; initialResources: ResourceRow[] }) {
  const trpc = useTRPC();
  const { data: resources = initialResources } = useQuery(
    trpc.instances.resources.queryOptions({ id: instanceId }, { initialData: initialResources, staleTime: Infinity }),
  );
  const live = resources.filter((row) => !row.deletedAt);
  const removed = resources.length - live.length;
  return (
    <section className="card" aria-labelledby="resources-heading">
      <h2 id="resources-heading" className="mt-0">
        Resources
      </h2>
      {live.length === 0 ? (
        <p className="hint">{removed ? `All ${removed} resources have been removed.` : "Nothing has been created yet."}</p>
      ) : (
        <div className="table-scroll" tabIndex={0}>
        <table className="data" aria-labelledby="resources-heading">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Name</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {live.map((row) => (
              <tr key={row.id} data-kind={row.kind}>
                <td>{KIND_LABELS[row.kind] ?? row.kind}</td>
                <td>
                  <code>{row.externalId}</code>
                </td>
                <td>{describe(row)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {live.length > 0 && removed > 0 ? <p className="hint">{removed} earlier resources have been removed.</p> : null}
    </section>
  );
}
