// The instance's use of its plan, as last measured (daily, server/usage/): storage, learners and courses against the
// plan's limits, and whether uploads are blocked.
import type { inferRouterOutputs } from "@trpc/server";
import { LocalTime } from "@/app/_components/local-time";
import type { AppRouter } from "@/server/api/root";
import { formatGb, storagePercent, UPLOADS_BLOCKED_ABOVE_PERCENT } from "@/server/usage/storage-quota";

type Usage = inferRouterOutputs<AppRouter>["instances"]["usage"];

function Row({ label, used, limit, shown, isOver }: { label: string; used: number | null; limit: number; shown: string; isOver: boolean }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>
        {used === null ? "not measured yet" : shown}
        {used !== null ? <meter className="ml-2 align-middle" aria-label={`${label} used of the plan`} min={0} max={limit} high={limit * 0.8} value={Math.min(used, limit)} /> : null}
        {isOver ? <strong className="ml-2">over the plan</strong> : null}
      </td>
    </tr>
  );
}

export function UsagePanel({ usage: { limits, usage } }: { usage: Usage }) {
  const bytes = usage?.storageBytes ?? null;
  return (
    <section className="card stack" aria-labelledby="usage-heading">
      <h2 id="usage-heading" className="mt-0">
        Usage and plan limits
      </h2>
      {usage ? (
        <p className="hint">
          Measured <LocalTime value={usage.measuredAt} />; measured again every day.
        </p>
      ) : (
        <p className="hint">Not measured yet: usage is measured once a day.</p>
      )}
      <table>
        <tbody>
          <Row
            label="Storage"
            used={bytes === null ? null : bytes / 1e9}
            limit={limits.storageGb}
            shown={bytes === null ? "" : `${formatGb(bytes)} of ${limits.storageGb} GB (${Math.round(storagePercent(bytes, limits.storageGb))} %)`}
            isOver={bytes !== null && storagePercent(bytes, limits.storageGb) > 100}
          />
          <Row label="Learners" used={usage?.learners ?? null} limit={limits.learners} shown={`${usage?.learners} of ${limits.learners}`} isOver={usage?.learnersOverLimit ?? false} />
          <Row label="Courses" used={usage?.courses ?? null} limit={limits.courses} shown={`${usage?.courses} of ${limits.courses}`} isOver={usage?.coursesOverLimit ?? false} />
        </tbody>
      </table>
      {usage?.uploadsBlocked ? (
        <div role="alert" className="error">
          <p>
            Uploads are blocked: the instance&apos;s files take more than {UPLOADS_BLOCKED_ABOVE_PERCENT} % of the plan&apos;s storage. Delete files or change the plan; uploads
            are allowed again at the next measurement under the limit.
          </p>
        </div>
      ) : null}
    </section>
  );
}
