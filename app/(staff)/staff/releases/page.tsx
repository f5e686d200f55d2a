// Releases: the Open edX releases Lyceum deploys, each with Tutor and its plugins pinned, its status and how many
// instances run it; staff add releases and change them (audited), and upgrade the fleet in waves.
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { PLANS } from "@/server/billing/plans";
import { releaseLabel } from "@/server/releases/catalogue";
import { FleetByRelease } from "./fleet-by-release";
import { ReleaseForm } from "./release-form";
import { RolloutForm } from "./rollout-form";
import { StopRolloutForm } from "./stop-rollout-form";

const WAVE_COUNTS = [
  ["waiting", "waiting"],
  ["upgrading", "upgrading"],
  ["upgraded", "upgraded"],
  ["failed", "failed"],
  ["skipped", "skipped"],
  ["not_started", "not started"],
] as const;

export default async function ReleasesPage() {
  await requireStaff("/staff/releases");
  const api = await serverApi();
  const [catalogue, rollouts] = await Promise.all([api.staff.releases(), api.staff.rollouts()]);
  const deployable = catalogue.filter((release) => release.status !== "end_of_life").map((release) => [release.id, releaseLabel(release)] as const);
  return (
    <div className="stack">
      <h1>Releases</h1>
      <p className="hint">
        New instances get the default release. Owners may upgrade to a default or supported one; a preview is for staff to try (the instance page&apos;s
        staff actions). An end-of-life release takes no new deployments.
      </p>
      <div className="table-scroll">
        <table className="data" aria-label="Releases">
          <thead>
            <tr>
              <th scope="col">Release</th>
              <th scope="col">Plugins</th>
              <th scope="col">Status</th>
              <th scope="col">Instances</th>
              <th scope="col">Migrations</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {catalogue.map((release) => (
              <tr key={release.id}>
                <td>{releaseLabel(release)}</td>
                <td>
                  {Object.entries(release.pluginVersions)
                    .map(([name, version]) => `${name}==${version}`)
                    .join(", ")}
                </td>
                <td>{release.status.replace("_", " ")}</td>
                <td>{release.instanceCount}</td>
                <td>{release.migrations.map((migration) => migration.id).join(", ") || "—"}</td>
                <td>{release.notes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FleetByRelease catalogue={catalogue} />
      <section className="card stack" aria-labelledby="rollouts-heading">
        <h2 id="rollouts-heading" className="mt-0">
          Fleet rollouts
        </h2>
        <p className="hint">
          A rollout upgrades the matching instances a share at a time. Each upgrade is an ordinary upgrade operation (backup, new deployment, health
          gate, switch, fallback); the rollout stops by itself when more than its threshold of a wave fails.
        </p>
        {rollouts.length === 0 ? <p>No rollout yet.</p> : null}
        {rollouts.map((rollout) => (
          <article key={rollout.id} className="stack" aria-label={`Rollout to ${rollout.targetLabel}, ${rollout.createdAt.toISOString()}`}>
            <h3 className="font-semibold">
              To {rollout.targetLabel}: {rollout.status}
            </h3>
            <p>
              {rollout.fleetSize} instance(s) matched, {rollout.waveSize} per wave ({rollout.wavePercent}%),{" "}
              {rollout.timing === "now" ? "upgraded at once" : "each in its upgrade window"}; stops when more than {rollout.failureThresholdPercent}% of a
              wave fails. Started {rollout.createdAt.toISOString()}.
              {rollout.stoppedReason ? ` ${rollout.stoppedReason}` : ""}
            </p>
            <div className="table-scroll">
              <table className="data" aria-label={`Waves of the rollout to ${rollout.targetLabel}`}>
                <thead>
                  <tr>
                    <th scope="col">Wave</th>
                    <th scope="col">Status</th>
                    {WAVE_COUNTS.map(([key, label]) => (
                      <th key={key} scope="col">
                        {label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rollout.waves.map((wave) => (
                    <tr key={wave.id}>
                      <td>{wave.number}</td>
                      <td>{wave.status}</td>
                      {WAVE_COUNTS.map(([key]) => (
                        <td key={key}>{wave.counts[key] ?? 0}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {rollout.status === "running" ? <StopRolloutForm rolloutId={rollout.id} label={rollout.targetLabel} /> : null}
          </article>
        ))}
        <details>
          <summary>Upgrade the fleet in waves</summary>
          <RolloutForm releases={deployable} plans={PLANS.map((plan) => [plan.id, plan.name] as const)} />
        </details>
      </section>
      <section className="card stack" aria-labelledby="change-heading">
        <h2 id="change-heading" className="mt-0">
          Change a release
        </h2>
        {catalogue.map((release) => (
          <details key={release.id}>
            <summary>{releaseLabel(release)}</summary>
            <ReleaseForm
              title={`Change ${releaseLabel(release)}`}
              releaseId={release.id}
              initial={{
                name: release.name,
                tutorVersion: release.tutorVersion,
                pluginVersions: release.pluginVersions,
                status: release.status,
                migrations: release.migrations,
                notes: release.notes,
              }}
            />
          </details>
        ))}
      </section>
      <section className="card" aria-labelledby="add-heading">
        <h2 id="add-heading" className="mt-0">
          Add a release
        </h2>
        <ReleaseForm title="Add a release" />
      </section>
    </div>
  );
}
