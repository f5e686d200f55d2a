// `npm run docs:configuration`: rewrites docs/configuration.md from server/env.ts (`--check`: fails on drift instead).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CONFIGURATION_DOC, renderConfigurationDoc } from "./lib/configuration-docs";

const root = path.resolve(import.meta.dirname, "..");
const rendered = renderConfigurationDoc(root);
const target = path.join(root, CONFIGURATION_DOC);
if (process.argv.includes("--check")) {
  const current = readFileSync(target, "utf8");
  if (current !== rendered) {
    console.error(`${CONFIGURATION_DOC} is out of date with server/env.ts: run npm run docs:configuration`);
    process.exit(1);
  }
  console.log(`${CONFIGURATION_DOC} matches server/env.ts`);
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${CONFIGURATION_DOC}`);
}
