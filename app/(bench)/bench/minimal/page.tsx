import { connection } from "next/server";
import { notFound } from "next/navigation";

// The benchmarks' reference: the smallest dynamic page of this build (rendered per request, under the same
// root layout as every page). Off unless the benchmark harness turns it on.
export default async function MinimalDynamicPage() {
  await connection();
  if (process.env.LYCEUM_BENCH_PAGES !== "1") notFound();
  return <p>Rendered at {new Date().toISOString()}</p>;
}
