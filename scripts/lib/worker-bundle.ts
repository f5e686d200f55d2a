// The production worker: jobs/worker.ts compiled by esbuild into dist/worker/worker.mjs, run by plain `node` (no tsx
// loader at run time). Each task's file, and each driver library a task reaches through a dynamic import, is a
// chunk of its own in dist/worker/chunks/, loaded by the first job that needs it: an idle worker holds none of them.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";

const WORKER_BUNDLE_DIR = path.join("dist", "worker");
export const WORKER_BUNDLE_ENTRY = path.join(WORKER_BUNDLE_DIR, "worker.mjs");

/** Builds the worker into `outdir` (emptied first: chunk names change with their content). */
export async function buildWorkerBundle(outdir: string = WORKER_BUNDLE_DIR): Promise<Metafile> {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { worker: "jobs/worker.ts" },
    outdir,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.9",
    // Minified code is also smaller in memory: V8 keeps every loaded script's source (about 8 MB less resident).
    minify: true,
    // Stack traces name minified functions; `node --enable-source-maps dist/worker/worker.mjs` maps them back to the
    // source (it costs memory, so production runs without it).
    sourcemap: "linked",
    // cosmiconfig (through graphile-worker's preset loader) would bring the TypeScript compiler to read a
    // graphile.config.ts; the worker passes its options in code and never reads one.
    external: ["typescript"],
    // The CommonJS packages in the bundle call require() for Node's own modules; ESM has no require of its own.
    banner: { js: 'import { createRequire as __lyceumCreateRequire } from "node:module"; const require = __lyceumCreateRequire(import.meta.url);' },
    plugins: [commonJsNamedExports],
    metafile: true,
    logLevel: "warning",
  });
  return result.metafile;
}

const NAMED_EXPORTS = "commonjs-named-exports";
const ES_MODULE_STATEMENT = /^\s*(import\s*["'{*]|import\s+[\w$]|export\s*[{*]|export\s+(default|const|let|var|function|class|async)\b)/m;

/**
 * `await import("pkg")` of a CommonJS package (the AWS SDK, mongodb, acme-client, …) gives its exports by name
 * under Node, but in a split ESM bundle only as `default`: esbuild cannot see a CommonJS module's names. The chunk
 * of each such package re-exports them by name, as read by requiring the package here at build time.
 */
const commonJsNamedExports: Plugin = {
  name: NAMED_EXPORTS,
  setup(builder) {
    const requireFromRoot = createRequire(path.join(process.cwd(), "package.json"));
    builder.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== "dynamic-import" || args.pluginData === NAMED_EXPORTS) return undefined;
      const resolved = await builder.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: NAMED_EXPORTS });
      if (resolved.errors.length > 0 || resolved.external || !resolved.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      // An ES module (import/export statements, not a method named `export(…)`): esbuild reads its names itself.
      if (ES_MODULE_STATEMENT.test(readFileSync(resolved.path, "utf8"))) return undefined;
      const names = Object.keys(requireFromRoot(resolved.path) as object);
      return { path: resolved.path, namespace: NAMED_EXPORTS, pluginData: names.filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name)) };
    });
    builder.onLoad({ filter: /.*/, namespace: NAMED_EXPORTS }, (args) => {
      const names = args.pluginData as string[];
      return {
        contents: [
          // require(), not `import … from`: a package compiled with __esModule would then give its (absent) `default`.
          `const commonJs = require(${JSON.stringify(args.path)});`,
          "export default commonJs;",
          ...names.map((name, i) => `const e${i} = commonJs[${JSON.stringify(name)}];`),
          `export { ${names.map((name, i) => `e${i} as ${name}`).join(", ")} };`,
        ].join("\n"),
        resolveDir: path.dirname(args.path),
        loader: "js",
      };
    });
  },
};

/** The bundle's entry, or an error that says how to make it. */
export function workerBundleEntry(): string {
  const entry = path.join(process.cwd(), WORKER_BUNDLE_ENTRY);
  if (!existsSync(entry)) throw new Error(`${WORKER_BUNDLE_ENTRY} is missing: run \`npm run build:worker\` (or \`npm run build\`) first`);
  return entry;
}

/**
 * The files of the bundle that `node` loads at start (the entry and the chunks it imports statically), and the
 * source files (packages included) they hold; everything else is loaded by a dynamic import, on first use.
 */
export function loadedAtStart(metafile: Metafile): { outputs: string[]; inputs: string[] } {
  const entry = Object.keys(metafile.outputs).find((file) => file.endsWith("worker.mjs"));
  if (!entry) throw new Error("the worker bundle has no worker.mjs");
  const outputs = new Set([entry]);
  for (const file of outputs) {
    for (const imported of metafile.outputs[file]!.imports) {
      if (imported.kind === "import-statement" && metafile.outputs[imported.path]) outputs.add(imported.path);
    }
  }
  const inputs = new Set([...outputs].flatMap((file) => Object.keys(metafile.outputs[file]!.inputs)));
  return { outputs: [...outputs], inputs: [...inputs] };
}
