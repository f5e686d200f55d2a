// docs/configuration.md is written from server/env.ts, so the manual cannot drift from what start-up accepts:
// each variable's row comes from its doc comment in the zod schema, and its default from the schema itself.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { envSchema } from "@/server/env";

const ENV_SOURCE = "server/env.ts";
export const CONFIGURATION_DOC = "docs/configuration.md";

type VariableDoc = { name: string; meaning: string; shownDefault?: string };

/** Each property of `envSchema`'s object literal, with the text of its doc comment and its `@default` tag. */
function documentedVariables(source: string): VariableDoc[] {
  const file = ts.createSourceFile(ENV_SOURCE, source, ts.ScriptTarget.Latest, true);
  const found: VariableDoc[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === "envSchema" && node.initializer && ts.isCallExpression(node.initializer)) {
      const shape = node.initializer.arguments[0];
      if (shape && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          if (!ts.isPropertyAssignment(property)) continue;
          const docs = ts.getJSDocCommentsAndTags(property).filter(ts.isJSDoc);
          const doc = docs.at(-1);
          const meaning = ts.getTextOfJSDocComment(doc?.comment)?.replace(/\s*\n\s*/g, " ").trim() ?? "";
          const defaultTag = doc?.tags?.find((tag) => tag.tagName.text === "default");
          const shownDefault = defaultTag ? ts.getTextOfJSDocComment(defaultTag.comment)?.replace(/\s*\n\s*/g, " ").trim() : undefined;
          found.push({ name: property.name.getText(file), meaning, shownDefault });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The schema's own default for one variable: what parsing an unset variable gives. */
function schemaDefault(name: string): string {
  const field = envSchema.shape[name as keyof typeof envSchema.shape];
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return "required";
  if (parsed.data === undefined) return "unset";
  return `\`${String(parsed.data)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

export function renderConfigurationDoc(root: string): string {
  const variables = documentedVariables(readFileSync(path.join(root, ENV_SOURCE), "utf8"));
  const undocumented = variables.filter((variable) => !variable.meaning).map((variable) => variable.name);
  if (undocumented.length) {
    throw new Error(`${ENV_SOURCE}: give these variables a doc comment (it becomes their row in ${CONFIGURATION_DOC}): ${undocumented.join(", ")}`);
  }
  const rows = variables.map(
    (variable) => `| \`${variable.name}\` | ${cell(variable.shownDefault ?? schemaDefault(variable.name))} | ${cell(variable.meaning)} |`,
  );
  return [
    "# Configuration",
    "",
    `<!-- Written by \`npm run docs:configuration\` from ${ENV_SOURCE}; edit the doc comments there, not this file. -->`,
    "",
    "Every variable is parsed once by zod in `server/env.ts`; a missing or malformed one stops start-up with its name.",
    "`npm run dev` fills in everything marked *generated*. A default in backquotes is the schema's own.",
    "",
    "| variable | default | meaning |",
    "| --- | --- | --- |",
    ...rows,
    "",
    "Read by the libraries themselves, not by `server/env.ts`:",
    "",
    "| variable | default | meaning |",
    "| --- | --- | --- |",
    "| `AUTH_TRUST_HOST` | `true` (`npm run dev`, the e2e server) | Auth.js behind `next start`: trust the Host header. Set it in production behind the load balancer. |",
    "| `NODE_OPTIONS`, `NEXT_TELEMETRY_DISABLED` | unset | Node's and Next.js's own. |",
    "",
    "The test suites read a few more (`CHROMIUM_PATH`, `E2E_PORT`, `E2E_EDGE_PORT`, `BENCH_PORT`): see docs/testing.md and docs/benchmarks.md.",
    "",
  ].join("\n");
}
