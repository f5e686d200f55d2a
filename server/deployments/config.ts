// What a deployment is configured with (the deployments.config column), in three parts, each rendered in one
// place: the plan's, the site's and the data services' accounts. Passwords and keys are not in it: they are
// sealed apart (deployments.secrets) and merged in only when the configuration is handed to the application server.
// A new field is one more line in its part below; the type then makes the part's renderer fill it in.
import { z } from "zod";
import { STATIC_PAGE_IDS } from "@/server/branding/static-pages";
import { TLS_MODES } from "@/server/mail/smtp-settings";

const text = z.string();
const optionalText = z.string().nullable();
const colours = { mainColor: text, linkColor: text, headerBackground: text, footerBackground: text };
/** Each image slot (server/branding/branding.ts IMAGE_SLOTS): the sha256 of its image, or null for none. */
const images = { logo: optionalText, favicon: optionalText, heroCover: optionalText, footerLogo: optionalText };

/** The settings a client controls, as deployed: the settings page compares them field by field with the draft. */
const siteSettingsSchema = z.object({
  theme: z.object({ ...colours, ...images }),
  pages: z.record(z.enum(STATIC_PAGE_IDS), z.object({ isVisible: z.boolean(), markdown: text })),
  email: z.object({
    senderName: optionalText,
    senderAddress: optionalText,
    relay: z.enum(["platform", "own"]),
    smtpHost: optionalText,
    smtpPort: z.number().nullable(),
    smtpTls: z.enum(TLS_MODES).nullable(),
    smtpUser: optionalText,
    /** Not the password: when it last changed, so a new password shows as a difference. */
    smtpPasswordChangedAt: optionalText,
  }),
});

/** The plan's part (server/billing/plans.ts planDeploymentConfig): billing reads `plan` as what is deployed. */
const planConfigSchema = z.object({
  plan: text,
  vmFlavor: text,
  limits: z.object({ learners: z.number(), courses: z.number(), storageGb: z.number() }),
});

/** The site's part (server/instances/site-config.ts renderSiteConfig): the settings and what renders them. */
const siteConfigSchema = z.object({
  instanceId: text,
  instanceName: text,
  description: text,
  contactEmail: optionalText,
  privacyPolicyUrl: optionalText,
  hostnames: z.object({ lms: text, studio: text, preview: text, apps: text }),
  settings: siteSettingsSchema,
  theme: z.object({ ...colours, ...images, logoUrl: optionalText, faviconUrl: optionalText, heroCoverUrl: optionalText, footerLogoUrl: optionalText }),
  pages: z.array(z.object({ id: z.enum(STATIC_PAGE_IDS), title: text, path: text, html: text })),
  /** A hash of the rest of this part: the site reports it on /heartbeat once it serves this configuration. */
  configVersion: text,
});

/**
 * The data services' accounts (server/instances/service-config.ts renderServiceConfig, from the ledger): where each
 * service is and which account to use. A service the instance has no account on is absent.
 */
const serviceConfigSchema = z.object({
  mysql: z
    .object({
      /** host:port */
      server: text,
      databases: z.record(text, text),
      users: z.record(text, z.object({ username: text, databases: z.array(text) })),
    })
    .optional(),
  mongodb: z.object({ hosts: z.array(text), database: text, username: text }).optional(),
  rabbitmq: z.object({ url: text, vhost: text, username: text }).optional(),
  elasticsearch: z.object({ username: text }).optional(),
  objectStorage: z
    .object({
      /** null: AWS S3. */
      endpoint: optionalText.optional(),
      forcePathStyle: z.boolean().optional(),
      region: text,
      bucket: text,
      accessKeyId: optionalText,
    })
    .optional(),
  smtp: z.object({ host: text, port: z.number(), tls: z.enum(TLS_MODES), username: text }).optional(),
});

/**
 * What the deployment step adds for the server itself (jobs/steps/deployment.ts). Optional: deployments configured
 * before these existed lack them.
 */
const serverConfigSchema = z.object({
  /** The owner's account email: their LMS superuser is made with it at first boot (cloud-init/owner-account.ts). */
  ownerEmail: optionalText.optional(),
  /** Where the server reports its boot phases (its token is sealed with the secrets). */
  bootReport: z.object({ url: text }).optional(),
  /**
   * The instance's services server (its plan's `servicesVmFlavor`): the address where memcached and Elasticsearch
   * run for this instance alone. Absent: both run on the application server.
   */
  servicesHost: text.optional(),
  /** The Open edX release it runs, every version exact (server/releases/); absent in configurations rendered before. */
  release: z
    .object({
      name: text,
      tutorVersion: text,
      pluginVersions: z.record(text, text),
      migrations: z.array(z.object({ id: text, databaseSuffix: text, sql: text })),
    })
    .optional(),
});

export const deploymentConfigSchema = z.object({
  ...planConfigSchema.shape,
  ...siteConfigSchema.shape,
  ...serverConfigSchema.shape,
  services: serviceConfigSchema,
});

export type SiteSettings = z.infer<typeof siteSettingsSchema>;
export type PlanConfig = z.infer<typeof planConfigSchema>;
export type SiteConfig = z.infer<typeof siteConfigSchema>;
export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;

