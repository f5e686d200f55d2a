// Queue health: graphile-worker's jobs by task and state, failed jobs (re-queue them here), the age of the
// oldest waiting job, and the worker processes with their last heartbeat.
import { LocalTime } from "@/app/_components/local-time";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { JOB_STATES } from "@/server/staff/queue";
import { AutoRefresh } from "../_components/auto-refresh";
import { formatDuration } from "../_components/format";
import { TableSection } from "../_components/table-section";
import { RequeueJobForm } from "./requeue-job-form";

export default async function QueuePage() {
  await requireStaff("/staff/queue");
  const { counts, failed, oldestWaitingSeconds, workers } = await (await serverApi()).staff.queue();
  const tasks = [...new Set(counts.map((row) => row.task))].sort();
  const countOf = (task: string, state: string) => counts.find((row) => row.task === task && row.state === state)?.count ?? 0;
  const liveWorkers = workers.filter((worker) => worker.isLive).length;

  return (
    <div className="stack">
      <h1>Queue</h1>
      <AutoRefresh seconds={10} />
      <section aria-label="Queue summary" className="flex flex-wrap gap-3">
        <div className="card px-4 py-3" data-testid="oldest-waiting">
          Oldest waiting job: <strong>{oldestWaitingSeconds > 0 ? formatDuration(oldestWaitingSeconds) : "none waiting"}</strong>
        </div>
        <div className="card px-4 py-3" data-testid="live-workers">
          Live workers: <strong>{liveWorkers}</strong>
        </div>
        <div className="card px-4 py-3">
          Failed jobs: <strong>{failed.length}</strong>
        </div>
      </section>

      <TableSection
        title="Jobs by task and state"
        columns={["Task", ...JOB_STATES]}
        isEmpty={tasks.length === 0}
        empty="The queue is empty: every job has run."
        footer={<p className="hint">Succeeded jobs leave the queue; the metrics count them (lyceum_jobs_processed_total).</p>}
      >
        {tasks.map((task) => (
          <tr key={task}>
            <td>{task}</td>
            {JOB_STATES.map((state) => (
              <td key={state}>{countOf(task, state)}</td>
            ))}
          </tr>
        ))}
      </TableSection>

      <TableSection
        title="Failed jobs"
        columns={["Job", "Task", "Attempts", "Last error", "Failed", "Re-queue"]}
        isEmpty={failed.length === 0}
        empty="No job has failed for good."
        className="card stack"
      >
        {failed.map((job) => (
          <tr key={job.id} data-job={job.id}>
            <td>
              {job.id}
              {job.key ? <div className="text-xs text-slate-500">{job.key}</div> : null}
            </td>
            <td>{job.task}</td>
            <td>
              {job.attempts} of {job.maxAttempts}
            </td>
            <td className="level-error">{job.lastError ?? "—"}</td>
            <td><LocalTime value={job.failedAt} /></td>
            <td>
              <RequeueJobForm jobId={job.id} task={job.task} />
            </td>
          </tr>
        ))}
      </TableSection>

      <TableSection
        title="Workers"
        columns={["Process", "Host", "Started", "Last heartbeat", "State", "Metrics"]}
        isEmpty={workers.length === 0}
        empty="No worker process is registered: queued jobs will not run."
      >
        {workers.map((worker) => (
          <tr key={worker.id}>
            <td>
              <code>{worker.id}</code>
            </td>
            <td>
              {worker.hostname} (pid {worker.pid})
            </td>
            <td><LocalTime value={worker.startedAt} /></td>
            <td>
              <LocalTime value={worker.lastHeartbeatAt} /> ({formatDuration(worker.heartbeatAgeSeconds)} ago)
            </td>
            <td>{worker.isLive ? "live" : "stale"}</td>
            <td>{worker.metricsAddress ?? "—"}</td>
          </tr>
        ))}
      </TableSection>
    </div>
  );
}
