// Sums the runners' JSON reports (vitest, the vitest fault suite, Playwright) into "N passed, N failed". A runner that
// failed without reporting any failed test (it crashed, or ran nothing) counts as one failure, so a broken run can
// never read as green.
import { existsSync, readFileSync } from "node:fs";

const [unitStatus, e2eStatus, benchStatus, faultsStatus] = process.argv.slice(2).map(Number);
let passed = 0;
let failed = 0;

function tally(label, file, status, count) {
  const report = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  const result = report ? count(report) : { passed: 0, failed: 0 };
  if (status !== 0 && result.failed === 0) result.failed = 1;
  if (report && result.passed + result.failed === 0) result.failed = 1;
  console.log(`${label}: ${result.passed} passed, ${result.failed} failed${report ? "" : " (no report)"}`);
  passed += result.passed;
  failed += result.failed;
}

const vitestCount = (r) => ({
  passed: r.numPassedTests ?? 0,
  failed: (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0),
});
// CI installs every tool the suites drive, so a skipped vitest test means a missing install: name it, count it.
function countSkipped(label, file) {
  const report = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  const skipped = (report?.testResults ?? []).flatMap((result) =>
    (result.assertionResults ?? []).filter((test) => ["skipped", "pending", "todo"].includes(test.status)).map((test) => `${result.name.replace(process.cwd() + "/", "")}: ${test.fullName}`),
  );
  if (!skipped.length) return;
  console.log(`${label}: ${skipped.length} skipped (counted as failed: CI installs what every test needs):`);
  for (const name of skipped) console.log(`  skipped: ${name}`);
  failed += skipped.length;
}
tally("vitest", "test-results/vitest-results.json", unitStatus, vitestCount);
countSkipped("vitest", "test-results/vitest-results.json");
// The fault suite (`npm run test:faults`); an older caller that does not pass its status does not run it.
if (faultsStatus !== undefined) {
  tally("vitest faults", "test-results/faults-results.json", faultsStatus, vitestCount);
  countSkipped("vitest faults", "test-results/faults-results.json");
}
tally("playwright", "test-results/e2e-results.json", e2eStatus, (r) => ({
  passed: r.stats?.expected ?? 0,
  failed: (r.stats?.unexpected ?? 0) + (r.stats?.flaky ?? 0),
}));

// The benchmark smoke run is not a test runner, but a crash in it must not pass unnoticed.
if (benchStatus !== undefined) {
  console.log(`bench smoke: ${benchStatus === 0 ? "ran" : "crashed (counted as 1 failed)"}`);
  if (benchStatus !== 0) failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
