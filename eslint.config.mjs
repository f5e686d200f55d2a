import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// The layers, as import rules (tests/architecture/import-zones.test.ts proves each one fires). Imports across
// top-level folders go through the `@/` alias, so the patterns match it; `tools/` is also caught by relative path.
const zones = {
  noDatabaseInPages: [
    {
      regex: "^@/db$|^@/db/(?!schema(/|$))",
      message: "app/ does not reach the database: read through a named query function under server/ instead",
    },
    {
      regex: "^@/db/schema(/|$)",
      allowTypeImports: true,
      message: "app/ may import the schema's types only (`import type`); values it needs come from a server/ module",
    },
    {
      regex: "^@/server/infra(/|$)",
      message: "app/ never calls an infrastructure driver: go through a tRPC procedure or a domain module under server/",
    },
  ],
  noWorkerOrPagesInServer: [
    {
      regex: "^@/(jobs|app)(/|$)",
      message: "server/ does not import jobs/ or app/: move what both need into server/ and import it from there",
    },
  ],
  noDomainInDrivers: [
    {
      regex: "^@/server/(instances|billing|api)(/|$)",
      message: "A driver under server/infra does not import domain modules: its creator passes in what it needs",
    },
  ],
  noApiInDomain: [
    {
      regex: "^(@/server/|(\\.\\./)+)api(/|$)",
      message:
        "Domain code does not import the API layer (server/api): throw a domain error and let server/api/domain-errors.ts answer it; shared shapes live in the domain (e.g. server/forms)",
    },
    {
      regex: "^@trpc/server(/|$)",
      allowTypeImports: true,
      message: "Domain code throws its own errors, never TRPCError: server/api/domain-errors.ts answers them",
    },
  ],
  noRoutersInRouters: [
    {
      regex: "^(\\./|@/server/api/routers/)",
      message: "A router does not import another router: what both need is a service under server/ (e.g. server/billing/checkout.ts)",
    },
  ],
  noToolsInProduct: [
    {
      regex: "^(@/|(\\.\\./)+)tools(/|$)",
      message: "Product code does not import tools/ (development emulators): reach them through the drivers' configuration",
    },
  ],
};

/** One config object per folder. A later object's options replace an earlier one's for the same rule, so a folder inside another lists the outer folder's zones too. */
const restrictImports = (files, zoneList, extra = {}) => ({
  files,
  ...extra,
  rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: zoneList.flat() }] },
});

const config = [
  ...nextVitals,
  ...nextTypescript,
  { ignores: [".next/**", ".lyceum/**", "bench/.minimal-app/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  restrictImports(["app/**"], [zones.noDatabaseInPages, zones.noToolsInProduct]),
  // server/api is the layer above the domain: only it may import itself.
  restrictImports(["server/**"], [zones.noWorkerOrPagesInServer, zones.noApiInDomain, zones.noToolsInProduct], { ignores: ["server/api/**"] }),
  restrictImports(["server/api/**"], [zones.noWorkerOrPagesInServer, zones.noToolsInProduct]),
  restrictImports(["server/api/routers/**"], [zones.noWorkerOrPagesInServer, zones.noRoutersInRouters, zones.noToolsInProduct]),
  // server/infra/index.ts is not a driver but the one place that wires them up: it hands domain functions to them.
  restrictImports(["server/infra/**"], [zones.noWorkerOrPagesInServer, zones.noDomainInDrivers, zones.noToolsInProduct], {
    ignores: ["server/infra/index.ts"],
  }),
  restrictImports(["jobs/**", "db/**", "scripts/**"], [zones.noToolsInProduct]),
];

export default config;
