// `npm run build:worker`: the production worker bundle (scripts/lib/worker-bundle.ts), started by `npm run worker`.
import { buildWorkerBundle, loadedAtStart, WORKER_BUNDLE_ENTRY } from "./lib/worker-bundle";

async function main() {
  const metafile = await buildWorkerBundle();
  const files = Object.keys(metafile.outputs).filter((file) => file.endsWith(".mjs"));
  const atStart = loadedAtStart(metafile).outputs;
  const kilobytes = (list: string[]) => (list.reduce((sum, file) => sum + metafile.outputs[file]!.bytes, 0) / 1024).toFixed(0);
  const later = files.filter((file) => !atStart.includes(file));
  console.log(`${WORKER_BUNDLE_ENTRY}: ${kilobytes(atStart)} KB in ${atStart.length} files loaded at start, ${kilobytes(later)} KB in ${later.length} loaded on first use`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
