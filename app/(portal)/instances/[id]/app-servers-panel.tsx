// The instance's application servers, each with its state: how many serve it, and which (if any) is failing and
// being replaced. Read at page load; the event log above says when one changes.
import { LocalTime } from "@/app/_components/local-time";
import type { AppServerState } from "@/db/schema";

const STATE_TEXT: Record<AppServerState, string> = {
  booting: "starting",
  healthy: "serving",
  failing: "not answering (visitors go to the others)",
  removed: "removed",
};

type Props = { count: number; quorum: number; servers: { number: number; state: AppServerState; failingSince: Date | null }[] };

export function AppServersPanel({ count, quorum, servers }: Props) {
  if (servers.length === 0) return null;
  return (
    <section className="card" aria-labelledby="app-servers-heading">
      <h2 id="app-servers-heading" className="mt-0">
        Application servers
      </h2>
      <p className="hint">
        {count === 1
          ? "Your plan runs one application server."
          : `Your instance runs ${count} application servers behind the load balancer; it serves while at least ${quorum} of them answer.`}
      </p>
      <ul>
        {servers.map((server) => (
          <li key={server.number}>
            Server {server.number}: {STATE_TEXT[server.state]}
            {server.failingSince ? (
              <>
                {" "}since <LocalTime value={server.failingSince} />
              </>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
