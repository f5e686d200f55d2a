// Releases: the Open edX releases Lyceum deploys, each with Tutor and its plugins pinned, its status and how many
// instances run it; staff add releases and change them (audited).
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { releaseLabel } from "@/server/releases/catalogue";
import { ReleaseForm } from "./release-form";

export default async function ReleasesPage() {
  await requireStaff("/staff/releases");
  const catalogue = await (await serverApi()).staff.releases();
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
