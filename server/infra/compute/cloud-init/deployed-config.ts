// The part of a deployment's configuration (siteConfigOf: the rendered site config with its sealed secrets
// merged in) that an Open edX VM is built from, checked before any VM is booted with it.
import { z } from "zod";
import { STATIC_PAGE_IDS } from "@/server/branding/static-pages";
import { TLS_MODES } from "@/server/mail/smtp-settings";
import { exactVersionSchema } from "@/server/releases/versions";

const account = { username: z.string().min(1), password: z.string().min(1) };

export const deployedConfigSchema = z.object({
  instanceId: z.string(),
  instanceName: z.string().min(1),
  description: z.string().default(""),
  contactEmail: z.string().nullable().default(null),
  hostnames: z.object({ lms: z.string(), studio: z.string(), preview: z.string(), apps: z.string() }),
  settings: z.object({
    email: z.object({ senderName: z.string().nullable(), senderAddress: z.string().nullable(), relay: z.enum(["platform", "own"]) }),
  }),
  /** The owner's account email: the LMS superuser made at first boot (absent in configurations rendered before). */
  ownerEmail: z.string().nullable().default(null),
  /** The wizard's branding as rendered (siteConfig.theme): colours, and the portal's versioned image URLs. */
  theme: z.object({
    mainColor: z.string(),
    linkColor: z.string(),
    headerBackground: z.string(),
    footerBackground: z.string(),
    logoUrl: z.string().nullable().default(null),
    faviconUrl: z.string().nullable().default(null),
    heroCoverUrl: z.string().nullable().default(null),
    footerLogoUrl: z.string().nullable().default(null),
  }),
  /** The static pages shown, each with its HTML (rendered from the owner's Markdown with raw HTML off). */
  pages: z.array(z.object({ id: z.enum(STATIC_PAGE_IDS), title: z.string(), path: z.string(), html: z.string() })).default([]),
  configVersion: z.string(),
  /** Where the VM reports its boot phases, with its deployment's own token; absent in configurations rendered before. */
  bootReport: z.object({ url: z.url(), token: z.string().min(1) }).optional(),
  /** The instance's services VM (memcached on 11211, Elasticsearch on 9200); absent: both run on this VM. */
  servicesHost: z.string().regex(/^[a-z0-9.-]+$/i, "must be a host name or IPv4 address").optional(),
  /** The Open edX release: Tutor and each plugin at an exact version, so what the VM installs never floats. */
  release: z.object(
    { name: z.string().min(1), tutorVersion: exactVersionSchema, pluginVersions: z.record(z.string().regex(/^tutor-[a-z0-9-]+$/), exactVersionSchema) },
    { error: "is missing: the deployment was configured before releases were recorded; redeploy to render it with the instance's release" },
  ),
  services: z.object({
    mysql: z.object({
      /** host:port */
      server: z.string().min(1),
      databases: z.record(z.string(), z.string()),
      users: z.record(z.string(), z.object(account)),
    }),
    /** Absent when no MongoDB cluster is configured; the renderer refuses that (MongoDB on the VM goes with the VM). */
    mongodb: z.object({ hosts: z.array(z.string()).min(1), database: z.string(), ...account }).optional(),
    rabbitmq: z.object({ url: z.string(), vhost: z.string(), ...account }),
    /** The instance's own user on the shared Elasticsearch; absent when the cluster has no security (or is on the VM). */
    elasticsearch: z.object(account).optional(),
    objectStorage: z.object({
      /** null: AWS S3. */
      endpoint: z.string().nullable(),
      forcePathStyle: z.boolean(),
      region: z.string(),
      bucket: z.string(),
      accessKeyId: z.string({ error: "is missing: the instance has no S3 access key" }),
      secretAccessKey: z.string({ error: "is missing: the access key's secret was not sealed into the deployment" }),
    }),
    /**
     * The SMTP server the VM sends through: the client's own (email relay "own"), or the instance mail relay with
     * the instance's own credential (the platform's relay). Absent only in configurations rendered before the relay.
     */
    smtp: z
      .object({ host: z.string(), port: z.number().int(), tls: z.enum(TLS_MODES), username: z.string(), password: z.string().default("") })
      .optional(),
    /** Tutor's own secrets, the same for every deployment of the instance (sealed, merged in like the passwords). */
    tutor: z.object(
      { OPENEDX_SECRET_KEY: z.string().min(1), JWT_RSA_PRIVATE_KEY: z.string().min(1), CMS_OAUTH2_SECRET: z.string().min(1), ID: z.string().min(1) },
      { error: "is missing: the instance's Tutor secrets were not generated (its tutor_secrets step did not run), so every VM would make new ones and log users out" },
    ),
  }),
});

export type DeployedConfig = z.infer<typeof deployedConfigSchema>;

export function parseDeployedConfig(siteConfig: Record<string, unknown>): DeployedConfig {
  const result = deployedConfigSchema.safeParse(siteConfig);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new Error(`the deployment's configuration cannot configure an Open edX server: ${problems.join("; ")}`);
}
