// What the browser bundle can pull in: the value imports reachable from every 'use client' module, read with
// TypeScript's own parser. Type-only imports are erased at build time, so they are not followed. The check
// works on a map of sources (path → text), so a test can hand it a few made-up files as well as the repository.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

type Sources = ReadonlyMap<string, string>;

/** Where a client module must never arrive, and why: each is a server-only module or folder. */
const SERVER_ONLY: { is: (modulePath: string) => boolean; why: string }[] = [
  { is: (file) => file.startsWith("db/"), why: "the database (db/)" },
  { is: (file) => file === "server/env.ts", why: "the server's configuration and secrets (server/env.ts)" },
  { is: (file) => file.startsWith("server/infra/"), why: "an infrastructure driver (server/infra/)" },
  { is: (file) => file.startsWith("jobs/"), why: "the worker (jobs/)" },
  { is: (file) => file === "package:server-only", why: 'a module marked `import "server-only"`' },
  { is: (file) => file.startsWith("package:node:"), why: "a Node.js built-in module" },
];

const EXTENSIONS = ["", ".ts", ".tsx", "/index.ts", "/index.tsx"];

/** The project's TypeScript sources outside node_modules, build output and the e2e suite, by repository path. */
export function repositorySources(root: string): Sources {
  const sources = new Map<string, string>();
  const skip = new Set(["node_modules", ".next", ".lyceum", ".git", "e2e", "test-results", "playwright-report", "bench"]);
  const walk = (folder: string) => {
    for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true })) {
      const relative = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(relative);
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        sources.set(relative, readFileSync(path.join(root, relative), "utf8"));
      }
    }
  };
  walk("");
  return sources;
}

const parse = (text: string) => ts.createSourceFile("module.tsx", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);

/** The module's directive ("use client", "use server"), if it starts with one. */
function directiveOf(file: ts.SourceFile): string | null {
  const first = file.statements[0];
  return first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression) ? first.expression.text : null;
}

/** The specifiers a module imports for their values (static imports, re-exports and `import()`). */
function valueImportsOf(file: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const isTypeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((element) => element.isTypeOnly));
      if (!isTypeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const isTypeOnly =
        node.isTypeOnly || (node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((element) => element.isTypeOnly));
      if (!isTypeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specifiers;
}

/** A project path for `@/…` and relative specifiers (null for a file that is not TypeScript, e.g. CSS), `package:<name>` for the rest. */
function resolve(importer: string, specifier: string, sources: Sources): string | null {
  const isProject = specifier.startsWith("@/") || specifier.startsWith(".");
  if (!isProject) return `package:${specifier.startsWith("node:") ? specifier : BUILTINS.has(specifier.split("/")[0]!) ? `node:${specifier}` : specifier}`;
  const base = specifier.startsWith("@/") ? specifier.slice(2) : path.posix.join(path.posix.dirname(importer), specifier);
  return EXTENSIONS.map((extension) => base + extension).find((candidate) => sources.has(candidate)) ?? null;
}

const BUILTINS = new Set(["assert", "buffer", "child_process", "crypto", "dns", "events", "fs", "http", "https", "net", "os", "path", "stream", "tls", "url", "util", "zlib", "worker_threads"]);

/**
 * Every way a client module reaches a server-only one, as "client → … → server-only module (why)". Each server-only
 * module is reported once per client module, by the first path found (breadth first: the shortest).
 */
export function clientGraphViolations(sources: Sources): string[] {
  const parsed = new Map([...sources].map(([file, text]) => [file, parse(text)]));
  const importsOf = new Map<string, string[]>();
  const edges = (file: string) => {
    if (!importsOf.has(file)) {
      const source = parsed.get(file);
      // A "use server" module's functions reach the browser as references to call, not as code: its imports stay on the server.
      const isFollowed = source !== undefined && directiveOf(source) !== "use server";
      importsOf.set(file, !isFollowed ? [] : valueImportsOf(source).flatMap((specifier) => resolve(file, specifier, sources) ?? []));
    }
    return importsOf.get(file)!;
  };
  const violations: string[] = [];
  for (const [entry, source] of parsed) {
    if (directiveOf(source) !== "use client") continue;
    const cameFrom = new Map<string, string | null>([[entry, null]]);
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.shift()!;
      const rule = SERVER_ONLY.find((candidate) => candidate.is(file));
      if (rule) {
        const chain: string[] = [];
        for (let step: string | null = file; step !== null; step = cameFrom.get(step)!) chain.unshift(step);
        violations.push(`${chain.join(" → ")} (${rule.why})`);
        continue;
      }
      if (file.startsWith("package:")) continue;
      for (const next of edges(file)) {
        if (!cameFrom.has(next)) {
          cameFrom.set(next, file);
          queue.push(next);
        }
      }
    }
  }
  return violations;
}
