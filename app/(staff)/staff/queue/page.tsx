// Queue health: graphile-worker's jobs by task and state, failed jobs (re-queue them here), the age of the
// oldest waiting job, and the worker processes with their last heartbeat.
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { JOB_STATES } from "@/server/staff/queue";
import { AutoRefresh } from "../_components/auto-refresh";
import { formatDateTime, formatDuration } from "../_components/format";
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

      <section className="card" aria-labelledby="jobs-heading">
        <h2 id="jobs-heading" className="mt-0">
          Jobs by task and state
        </h2>
        {tasks.length === 0 ? (
          <p>The queue is empty: every job has run.</p>
        ) : (
          <table className="data" aria-label="Jobs by task and state">
            <thead>
              <tr>
                <th>Task</th>
                {JOB_STATES.map((state) => (
                  <th key={state}>{state}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {tasks.map((task) => (
                <tr key={task}>
                  <td>{task}</td>
                  {JOB_STATES.map((state) => (
                    <td key={state}>{countOf(task, state)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="hint">Succeeded jobs leave the queue; the metrics count them (lyceum_jobs_processed_total).</p>
      </section>

      <section className="card stack" aria-labelledby="failed-heading">
        <h2 id="failed-heading" className="mt-0">
          Failed jobs
        </h2>
        {failed.length === 0 ? (
          <p>No job has failed for good.</p>
        ) : (
          <table className="data" aria-label="Failed jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Task</th>
                <th>Attempts</th>
                <th>Last error</th>
                <th>Failed</th>
                <th>Re-queue</th>
              </tr>
            </thead>
            <tbody>
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
                  <td>{formatDateTime(job.failedAt)}</td>
                  <td>
                    <RequeueJobForm jobId={job.id} task={job.task} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" aria-labelledby="workers-heading">
        <h2 id="workers-heading" className="mt-0">
          Workers
        </h2>
        {workers.length === 0 ? (
          <p>No worker process is registered: queued jobs will not run.</p>
        ) : (
          <table className="data" aria-label="Workers">
            <thead>
              <tr>
                <th>Process</th>
                <th>Host</th>
                <th>Started</th>
                <th>Last heartbeat</th>
                <th>State</th>
                <th>Metrics</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((worker) => (
                <tr key={worker.id}>
                  <td>
                    <code>{worker.id}</code>
                  </td>
                  <td>
                    {worker.hostname} (pid {worker.pid})
                  </td>
                  <td>{formatDateTime(worker.startedAt)}</td>
                  <td>
                    {formatDateTime(worker.lastHeartbeatAt)} ({formatDuration(worker.heartbeatAgeSeconds)} ago)
                  </td>
                  <td>{worker.isLive ? "live" : "stale"}</td>
                  <td>{worker.metricsAddress ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
