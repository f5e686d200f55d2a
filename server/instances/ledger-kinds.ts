// Every kind of resource an instance's ledger (instance_resources) can hold, with the shape of its details and,
// for the kinds that have them, of its sealed secrets. A new kind is one more entry in LEDGER_DETAILS: the list of
// kinds, the column's type and the ledger's helpers (./ledger.ts) all follow from it, so none can be left out.
import { z } from "zod";
import { DNS_RECORD_TYPES } from "@/server/infra/dns/driver";

const names = z.array(z.string());
const password = z.object({ password: z.string().min(1) });

/** Each kind, with the shape of its details (readable by the instance's owner and staff, so never a secret). */
const LEDGER_DETAILS = {
  /** One of the instance's databases on the shared MySQL; `server` is host:port. */
  "mysql.database": z.object({ service: z.string(), suffix: z.string(), server: z.string() }),
  "mysql.user": z.object({ role: z.string(), databases: names, access: z.enum(["all", "read-only"]), server: z.string() }),
  /** MongoDB makes the database on its first write: the entry says it is the instance's before it exists. */
  "mongodb.database": z.object({ hosts: names }),
  "mongodb.user": z.object({ database: z.string(), roles: names, hosts: names }),
  "rabbitmq.vhost": z.object({ amqpUrl: z.string() }),
  "rabbitmq.user": z.object({ vhost: z.string(), permissions: z.string() }),
  /** A role on the shared Elasticsearch that reaches the instance's own indices only. */
  "elasticsearch.role": z.object({ indices: names, privileges: names }),
  "elasticsearch.user": z.object({ roles: names, indices: names }),
  "s3.bucket": z.object({
    driver: z.string(),
    region: z.string(),
    corsOrigins: names,
    versioning: z.literal("Enabled"),
    trackingLogs: z.object({ prefix: z.string(), expireAfterDays: z.number() }),
  }),
  /** The IAM user (where the provider has IAM) that the bucket's access keys belong to. */
  "s3.principal": z.object({ issuer: z.string(), bucket: z.string() }),
  "s3.access_key": z.object({ issuer: z.string(), principal: z.string(), bucket: z.string() }),
  /** External id `<name> <type>`; `driver` is the DNS driver that holds it. */
  "dns.record": z.object({ driver: z.string(), zone: z.string(), name: z.string(), type: z.enum(DNS_RECORD_TYPES), values: names }),
  /** External id: the certificates row. `source` is the issuer's name, or "client" for an uploaded one. */
  "tls.certificate": z.object({ hostnames: names, source: z.string() }),
  /**
   * An application server; `address` is null while it builds (it is recorded before the wait). `serverIndex`: which
   * of its deployment's servers (absent for those recorded before deployments had several: server 0).
   */
  "compute.server": z.object({ driver: z.string(), deploymentId: z.string(), serverIndex: z.number().int().min(0).optional(), address: z.string().nullable() }),
  /**
   * The instance's services server (memcached and Elasticsearch, its plan's `servicesVmFlavor`), shared by its
   * deployments; `address` is null while it builds.
   */
  "compute.services_server": z.object({ driver: z.string(), flavor: z.string(), address: z.string().nullable() }),
  /** The plan's size recorded against a server (external id: the server's); it goes with the server. */
  "compute.flavor": z.object({
    flavor: z.string(),
    plan: z.string(),
    limits: z.object({ learners: z.number(), courses: z.number(), storageGb: z.number() }),
  }),
  /** Tutor's own secrets (server/instances/tutor-secrets.ts); external id: the instance's resource base name. */
  "tutor.secrets": z.object({ keys: names }),
  /**
   * The instance's credential for the instance mail relay (server/mail/relay/); external id: the relay user name.
   * The details say where the VM reaches the relay; nothing about the password (not even a hash).
   */
  "mail.relay_credential": z.object({ host: z.string(), port: z.number().int(), tls: z.enum(["starttls", "none"]) }),
} as const;

export type LedgerKind = keyof typeof LEDGER_DETAILS;

/** The kinds whose entries seal secrets (AES-256-GCM, in the secrets column), with their shape. */
const LEDGER_SECRETS = {
  "mysql.user": password,
  "mongodb.user": password,
  "rabbitmq.user": password,
  "elasticsearch.user": password,
  "s3.access_key": z.object({ secretAccessKey: z.string().min(1) }),
  "tutor.secrets": z.object({
    OPENEDX_SECRET_KEY: z.string().min(1),
    JWT_RSA_PRIVATE_KEY: z.string().min(1),
    CMS_OAUTH2_SECRET: z.string().min(1),
    ID: z.string().min(1),
  }),
  "mail.relay_credential": password,
} as const satisfies Partial<Record<LedgerKind, z.ZodObject>>;

/** What an entry of kind K records in its details; of any kind when K is the union. */
export type LedgerDetails<K extends LedgerKind = LedgerKind> = z.output<(typeof LEDGER_DETAILS)[K]>;
/** What an entry of kind K seals in its secrets; `never` for a kind without secrets. */
export type LedgerSecrets<K extends LedgerKind> = K extends keyof typeof LEDGER_SECRETS ? z.output<(typeof LEDGER_SECRETS)[K]> : never;

// The same maps seen through their kinds, so that a kind chosen by a caller (a type parameter) picks its own schema.
const detailsSchemas: { [K in LedgerKind]: z.ZodType<LedgerDetails<K>> } = LEDGER_DETAILS;
const secretsSchemas: { [K in LedgerKind]?: z.ZodType<LedgerSecrets<K>> } = LEDGER_SECRETS;

export function isLedgerKind(kind: string): kind is LedgerKind {
  return Object.hasOwn(LEDGER_DETAILS, kind);
}

export const LEDGER_KINDS: readonly LedgerKind[] = Object.keys(LEDGER_DETAILS).filter(isLedgerKind);


/** An entry's details or secrets that do not have its kind's shape (or a kind no one listed above). */
class LedgerShapeError extends Error {
  constructor(what: string, problems: string) {
    super(`${what}: ${problems}`);
    this.name = "LedgerShapeError";
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new LedgerShapeError(what, result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; "));
}

function knownKind(kind: string, resource: string): asserts kind is LedgerKind {
  if (!isLedgerKind(kind)) throw new LedgerShapeError(`${resource} has kind "${kind}"`, `not a ledger kind (server/instances/ledger-kinds.ts lists ${LEDGER_KINDS.join(", ")})`);
}

/** The details of a `kind` entry, checked against its kind's schema; `resource` names it in the error. */
export function parseLedgerDetails<K extends LedgerKind>(kind: K, details: unknown, resource: string): LedgerDetails<K> {
  knownKind(kind, resource);
  return parsed(detailsSchemas[kind], details, `the details of ${resource} do not have the shape of a ${kind} entry`);
}

/** The unsealed secrets of a `kind` entry, checked against its kind's schema. */
export function parseLedgerSecrets<K extends LedgerKind>(kind: K, secrets: unknown, resource: string): LedgerSecrets<K> {
  knownKind(kind, resource);
  const schema = secretsSchemas[kind];
  if (!schema) throw new LedgerShapeError(`${resource} has secrets`, `a ${kind} entry has none`);
  return parsed(schema, secrets, `the secrets of ${resource} do not have the shape of a ${kind} entry`);
}
