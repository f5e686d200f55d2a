// How many instances run each release, as bars drawn by the server: each bar is a meter with its number and share
// beside it in words, so it reads the same to a screen reader as on screen.
import { releaseLabel } from "@/server/releases/catalogue";
import type { Release } from "@/db/schema";

type Row = Pick<Release, "id" | "name" | "tutorVersion" | "status"> & { instanceCount: number };

export function FleetByRelease({ catalogue }: { catalogue: Row[] }) {
  const total = catalogue.reduce((sum, release) => sum + release.instanceCount, 0);
  return (
    <figure className="card stack" aria-labelledby="fleet-by-release-caption">
      <figcaption id="fleet-by-release-caption" className="font-semibold">
        The fleet by release ({total} instance{total === 1 ? "" : "s"})
      </figcaption>
      <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {catalogue.map((release) => {
          const share = total ? Math.round((release.instanceCount * 100) / total) : 0;
          const text = `${releaseLabel(release)}, ${release.status.replace("_", " ")}: ${release.instanceCount} instance${release.instanceCount === 1 ? "" : "s"} (${share}%)`;
          return (
            <li key={release.id}>
              <div id={`fleet-bar-${release.id}`}>{text}</div>
              <div
                role="meter"
                aria-labelledby={`fleet-bar-${release.id}`}
                aria-valuenow={release.instanceCount}
                aria-valuemin={0}
                aria-valuemax={Math.max(total, 1)}
                style={{ background: "#e5e7eb", height: "0.75rem", borderRadius: 4 }}
              >
                <div
                  style={{
                    width: `${share}%`,
                    height: "100%",
                    borderRadius: 4,
                    background: release.status === "end_of_life" ? "#dc2626" : release.status === "preview" ? "#f59e0b" : "#16a34a",
                  }}
                />
              </div>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
