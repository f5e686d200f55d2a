// A bare Next.js app (one dynamic page, nothing else) built and started beside the portal: the memory floor
// the portal's web process is compared with.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const DIR = path.join(process.cwd(), "bench", ".minimal-app");

export function buildMinimalApp() {
  mkdirSync(path.join(DIR, "app"), { recursive: true });
  writeFileSync(path.join(DIR, "package.json"), JSON.stringify({ private: true, name: "lyceum-bench-minimal-app" }));
  // A configuration of its own: without one, Next looks upwards and loads the portal's next.config.ts, whose
  // relative imports do not resolve from here.
  writeFileSync(path.join(DIR, "next.config.mjs"), "export default {};\n");
  writeFileSync(
    path.join(DIR, "app", "layout.jsx"),
    'export default function Layout({ children }) { return <html lang="en"><body>{children}</body></html>; }\n',
  );
  writeFileSync(
    path.join(DIR, "app", "page.jsx"),
    'import { connection } from "next/server";\nexport default async function Page() { await connection(); return <p>{new Date().toISOString()}</p>; }\n',
  );
  execFileSync(process.execPath, [path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: DIR,
    stdio: "ignore",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

export function startMinimalApp(port: number): ChildProcess {
  return spawn(process.execPath, [path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next"), "start", "--port", String(port)], {
    cwd: DIR,
    stdio: "ignore",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
}
