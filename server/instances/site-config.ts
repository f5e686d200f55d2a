// What an instance's site is configured with, rendered from the instance row in one place: the provision
// and reconfigure pipelines deploy it, and the settings page compares it with what is deployed.
import { createHash } from "node:crypto";
import type { Instance } from "@/db/schema";
import { DEFAULT_COLOURS, IMAGE_SLOTS, type ImageSlot } from "@/server/branding/branding";
import { renderMarkdown } from "@/server/branding/markdown";
import { defaultStaticPages, STATIC_PAGE_IDS, STATIC_PAGES, type StaticPageId } from "@/server/branding/static-pages";
import type { SiteConfig, SiteSettings } from "@/server/deployments/config";
import type { Env } from "@/server/env";
import { instanceHostnames } from "./hostnames";

/** The settings a client controls, as deployed: compared field by field with the draft. */
export function siteSettingsOf(instance: Instance): SiteSettings {
  const branding = { ...DEFAULT_COLOURS, ...instance.branding };
  const pages = { ...defaultStaticPages(), ...instance.staticPages };
  const email = instance.emailSettings;
  return {
    theme: {
      mainColor: branding.mainColor,
      linkColor: branding.linkColor,
      headerBackground: branding.headerBackground,
      footerBackground: branding.footerBackground,
      ...(Object.fromEntries(IMAGE_SLOTS.map((slot) => [slot, branding[slot]?.sha256 ?? null])) as Record<ImageSlot, string | null>),
    },
    pages: Object.fromEntries(STATIC_PAGE_IDS.map((id) => [id, { isVisible: pages[id].isVisible, markdown: pages[id].markdown }])) as Record<
      StaticPageId,
      { isVisible: boolean; markdown: string }
    >,
    email: {
      senderName: email?.senderName ?? null,
      senderAddress: email?.senderAddress ?? null,
      relay: email?.relay ?? "platform",
      smtpHost: email?.relay === "own" ? email.smtp.host : null,
      smtpPort: email?.relay === "own" ? email.smtp.port : null,
      smtpTls: email?.relay === "own" ? email.smtp.tls : null,
      smtpUser: email?.relay === "own" ? email.smtp.user : null,
      // Not the password: when it last changed, so a new password shows as a difference.
      smtpPasswordChangedAt: email?.relay === "own" ? (instance.emailSettingsChangedAt?.toISOString() ?? null) : null,
    },
  };
}

/** The site server's configuration: the settings plus what it needs to render them (HTML, asset URLs). */
export function renderSiteConfig(instance: Instance, config: Pick<Env, "LYCEUM_BASE_DOMAIN" | "publicUrl">): SiteConfig {
  const settings = siteSettingsOf(instance);
  const assetUrl = (slot: ImageSlot) => {
    const sha = settings.theme[slot];
    return sha ? `${config.publicUrl}/api/assets/${instance.id}/${slot}?v=${sha}` : null;
  };
  const pages = STATIC_PAGE_IDS.filter((id) => settings.pages[id].isVisible).map((id) => ({
    id,
    title: STATIC_PAGES[id].title,
    path: STATIC_PAGES[id].path,
    html: renderMarkdown(settings.pages[id].markdown),
  }));
  const rendered = {
    instanceId: instance.id,
    instanceName: instance.name,
    description: instance.description,
    contactEmail: instance.contactEmail,
    privacyPolicyUrl: instance.privacyPolicyUrl,
    hostnames: instanceHostnames(instance, config.LYCEUM_BASE_DOMAIN),
    settings,
    theme: {
      ...settings.theme,
      logoUrl: assetUrl("logo"),
      faviconUrl: assetUrl("favicon"),
      heroCoverUrl: assetUrl("heroCover"),
      footerLogoUrl: assetUrl("footerLogo"),
    },
    pages,
  };
  return { ...rendered, configVersion: createHash("sha256").update(JSON.stringify(rendered)).digest("hex").slice(0, 16) };
}

export type SettingsDifference = { field: string; deployed: string; draft: string };

const FIELD_LABELS: Record<string, string> = {
  "theme.mainColor": "Main colour",
  "theme.linkColor": "Link colour",
  "theme.headerBackground": "Header background",
  "theme.footerBackground": "Footer background",
  "theme.logo": "Logo",
  "theme.favicon": "Favicon",
  "theme.heroCover": "Hero cover image",
  "theme.footerLogo": "Footer logo",
  "email.senderName": "Sender name",
  "email.senderAddress": "Sender address",
  "email.relay": "Sending server",
  "email.smtpHost": "SMTP server",
  "email.smtpPort": "SMTP port",
  "email.smtpTls": "SMTP encryption",
  "email.smtpUser": "SMTP user",
  "email.smtpPasswordChangedAt": "SMTP password",
  ...Object.fromEntries(
    STATIC_PAGE_IDS.flatMap((id) => [
      [`pages.${id}.isVisible`, `${STATIC_PAGES[id].title} page shown`],
      [`pages.${id}.markdown`, `${STATIC_PAGES[id].title} page text`],
    ]),
  ),
};

function flatten(value: unknown, prefix = ""): Record<string, unknown> {
  if (value === null || typeof value !== "object") return { [prefix]: value };
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => Object.entries(flatten(inner, prefix ? `${prefix}.${key}` : key))),
  );
}

function shown(key: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (key.startsWith("theme.") && !key.endsWith("Color") && !key.endsWith("Background")) return `image ${String(value).slice(0, 8)}`;
  if (key === "email.smtpPasswordChangedAt") return `set ${String(value).slice(0, 16).replace("T", " ")}`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Each field whose draft differs from what is deployed, with both values as people read them. */
export function settingsDifferences(deployed: SiteSettings | null, draft: SiteSettings): SettingsDifference[] {
  const before = deployed ? flatten(deployed) : {};
  const after = flatten(draft);
  return Object.keys(after)
    .filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
    .map((key) => ({ field: FIELD_LABELS[key] ?? key, deployed: shown(key, before[key]), draft: shown(key, after[key]) }));
}
