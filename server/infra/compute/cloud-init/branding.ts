// How the wizard's branding (four colours, four images, five static pages) reaches an Open edX VM. Read against
// tutor v17.0.6, tutor-indigo v17.4.2 and tutor-mfe v17.0.1 (their git tags):
// - tutor-indigo's settings are INDIGO_WELCOME_MESSAGE, INDIGO_PRIMARY_COLOR and INDIGO_FOOTER_NAV_LINKS, and all of
//   them are baked into the openedx image (Mako templates and SCSS under themes/indigo). The image Tutor pulls
//   (openedx:<version>-indigo) was built with Indigo's defaults, so the VM builds its own (`tutor images build`).
//   INDIGO_PRIMARY_COLOR reaches only Studio's SCSS; the LMS's _variables.scss hard-codes `$primary`, so the theme
//   step below rewrites that line in the build context before the build.
// - tutor-mfe builds the MFEs against the @edx/brand package (Indigo swaps in its own in its
//   mfe-dockerfile-post-npm-install-<app> patches); the colours go into that package's Paragon variables in the
//   mfe-dockerfile-pre-npm-build patch, which runs after every install. Logos and the favicon are runtime:
//   tutor-mfe's openedx-lms-production-settings patch defines MFE_CONFIG (LOGO_URL, LOGO_WHITE_URL,
//   LOGO_TRADEMARK_URL, FAVICON_URL) and then includes mfe-lms-production-settings, where the plugin overrides them.
// - edx-platform (Quince) serves /about, /contact, /tos, /honor and /privacy from the theme's
//   static_templates/<key>.html (static_template_view/urls.py, one URL per MKTG_URL_LINK_MAP key; None removes it),
//   and reads LOGO_URL and FAVICON_URL in branding/api.py.
import { gzipSync } from "node:zlib";
import { COLOUR_FIELD_NAMES, COLOUR_FIELDS, IMAGE_SLOTS, type ColourField, type ImageSlot } from "@/server/branding/branding";
import { STATIC_PAGE_IDS, STATIC_PAGES, type StaticPageId } from "@/server/branding/static-pages";
import type { DeployedConfig } from "./deployed-config";
import { htmlEscapedText } from "./tutor-text";

/** Where Tutor renders Indigo's theme (the openedx image's build context), under the Tutor root. */
const INDIGO_THEME = "env/build/openedx/themes/indigo";
const LMS_THEME_SASS = `${INDIGO_THEME}/lms/static/sass/partials/lms/theme`;

/** The config.yml key each colour travels in (a hex colour: inert everywhere, safe in SCSS and in a shell line). */
export const COLOUR_KEYS: Record<ColourField, string> = {
  mainColor: "INDIGO_PRIMARY_COLOR",
  linkColor: "LYCEUM_BRAND_LINK_COLOR",
  headerBackground: "LYCEUM_BRAND_HEADER_BACKGROUND",
  footerBackground: "LYCEUM_BRAND_FOOTER_BACKGROUND",
};

/** The config.yml key each image's URL travels in (empty: the theme's own image). */
export const IMAGE_KEYS: Record<ImageSlot, string> = {
  logo: "LYCEUM_BRAND_LOGO_URL",
  favicon: "LYCEUM_BRAND_FAVICON_URL",
  heroCover: "LYCEUM_BRAND_HERO_COVER_URL",
  footerLogo: "LYCEUM_BRAND_FOOTER_LOGO_URL",
};

/** edx-platform's MKTG_URL_LINK_MAP key for each static page (its lower case is the page's path and template). */
export const MARKETING_KEYS: Record<StaticPageId, string> = { about: "ABOUT", contact: "CONTACT", tos: "TOS", honor: "HONOR", privacy: "PRIVACY" };

const HEX_COLOUR = /^#[0-9a-f]{3}(?:[0-9a-f]{3})?$/i;
/** The portal's versioned asset URLs: no quote, bracket, brace, space or backslash can end up in CSS or Python. */
const ASSET_URL = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9/._~%?=&-]*$/;

function hexColour(field: ColourField, colour: string): string {
  if (!HEX_COLOUR.test(colour)) throw new Error(`the theme's ${COLOUR_FIELDS[field].label.toLowerCase()} "${colour}" is not a hex colour such as #1d4ed8`);
  return colour.toLowerCase();
}

function assetUrl(slot: ImageSlot, url: string | null): string {
  if (url === null) return "";
  if (!ASSET_URL.test(url)) throw new Error(`the ${slot} image's address "${url}" is not a plain http(s) URL`);
  return url;
}

type Theme = DeployedConfig["theme"];
const imageUrlOf = (theme: Theme, slot: ImageSlot) => ({ logo: theme.logoUrl, favicon: theme.faviconUrl, heroCover: theme.heroCoverUrl, footerLogo: theme.footerLogoUrl })[slot];

/** The branding keys of config.yml: Indigo's own, and the lyceum plugin's LYCEUM_BRAND_* (read by its patches). */
export function brandingTutorConfig(config: DeployedConfig): Record<string, unknown> {
  const colours = Object.fromEntries(COLOUR_FIELD_NAMES.map((field) => [COLOUR_KEYS[field], hexColour(field, config.theme[field])]));
  const images = Object.fromEntries(IMAGE_SLOTS.map((slot) => [IMAGE_KEYS[slot], assetUrl(slot, imageUrlOf(config.theme, slot))]));
  const shown = new Set(config.pages.map((page) => page.id));
  return {
    ...colours,
    // tutor-indigo pastes these into Mako HTML templates: character references show the exact text.
    INDIGO_WELCOME_MESSAGE: htmlEscapedText(config.description.trim() || `Welcome to ${config.instanceName}`),
    INDIGO_FOOTER_NAV_LINKS: config.pages.map((page) => ({ title: htmlEscapedText(page.title), url: htmlEscapedText(page.path) })),
    ...images,
    // Pages the owner hid answer 404 instead of Open edX's placeholder text.
    LYCEUM_BRAND_HIDDEN_PAGES: STATIC_PAGE_IDS.filter((id) => !shown.has(id)).map((id) => MARKETING_KEYS[id]),
  };
}

/** The lyceum plugin's config defaults for the keys above (the theme's own images, every page shown). */
export const BRANDING_PLUGIN_DEFAULTS = {
  BRAND_LINK_COLOR: "#115e59",
  BRAND_HEADER_BACKGROUND: "#0f766e",
  BRAND_FOOTER_BACKGROUND: "#1f2937",
  BRAND_LOGO_URL: "",
  BRAND_FAVICON_URL: "",
  BRAND_HERO_COVER_URL: "",
  BRAND_FOOTER_LOGO_URL: "",
  BRAND_HIDDEN_PAGES: [] as string[],
};

/** The lyceum plugin's branding patches; every value comes from config.yml through tojson or a checked hex colour. */
export function brandingPatches(): Record<string, string> {
  return {
    "openedx-lms-common-settings": [
      "# Lyceum: the owner's logo and favicon on the LMS's own pages (branding.api reads these).",
      "{% if LYCEUM_BRAND_LOGO_URL %}LOGO_URL = {{ LYCEUM_BRAND_LOGO_URL|tojson }}{% endif %}",
      "{% if LYCEUM_BRAND_FAVICON_URL %}FAVICON_URL = {{ LYCEUM_BRAND_FAVICON_URL|tojson }}{% endif %}",
      "# Lyceum: static pages the owner hid are not served (static_template_view skips a key set to None).",
      "for _lyceum_page in {{ LYCEUM_BRAND_HIDDEN_PAGES|tojson }}:",
      "    MKTG_URL_LINK_MAP[_lyceum_page] = None",
      "",
    ].join("\n"),
    // Included by tutor-mfe right after it defines MFE_CONFIG: the MFEs read these at run time.
    "mfe-lms-production-settings": [
      "# Lyceum: the owner's images in the learner and authoring apps.",
      "{% if LYCEUM_BRAND_LOGO_URL %}",
      'MFE_CONFIG["LOGO_URL"] = {{ LYCEUM_BRAND_LOGO_URL|tojson }}',
      'MFE_CONFIG["LOGO_WHITE_URL"] = {{ LYCEUM_BRAND_LOGO_URL|tojson }}',
      'MFE_CONFIG["LOGO_TRADEMARK_URL"] = {{ (LYCEUM_BRAND_FOOTER_LOGO_URL or LYCEUM_BRAND_LOGO_URL)|tojson }}',
      "{% elif LYCEUM_BRAND_FOOTER_LOGO_URL %}",
      'MFE_CONFIG["LOGO_TRADEMARK_URL"] = {{ LYCEUM_BRAND_FOOTER_LOGO_URL|tojson }}',
      "{% endif %}",
      '{% if LYCEUM_BRAND_FAVICON_URL %}MFE_CONFIG["FAVICON_URL"] = {{ LYCEUM_BRAND_FAVICON_URL|tojson }}{% endif %}',
      "",
    ].join("\n"),
    // After every npm install (Indigo's brand package included), before `npm run build`: Paragon's colour
    // variables, last in the brand's variables file so they win. Each value is a hex colour (checked at render).
    "mfe-dockerfile-pre-npm-build": [
      "# Lyceum: the owner's colours in the MFEs' Paragon theme.",
      "RUN mkdir -p /openedx/app/node_modules/@edx/brand/paragon \\",
      "    && printf '\\n$primary: %s;\\n$info: %s;\\n$link-color: %s;\\n' '{{ INDIGO_PRIMARY_COLOR }}' '{{ LYCEUM_BRAND_LINK_COLOR }}' '{{ LYCEUM_BRAND_LINK_COLOR }}' \\",
      "    >> /openedx/app/node_modules/@edx/brand/paragon/_variables.scss",
      "",
    ].join("\n"),
  };
}

/** The LMS theme's additions: the colours Indigo has no setting for, and the hero image. */
function lmsThemeScss(config: DeployedConfig): string {
  const theme = config.theme;
  const hero = assetUrl("heroCover", theme.heroCoverUrl);
  return [
    "// Lyceum: the owner's colours and hero image.",
    `header.global-header, header.global-header .main-header { background-color: ${hexColour("headerBackground", theme.headerBackground)} !important; }`,
    `.wrapper-footer, .wrapper-footer footer { background-color: ${hexColour("footerBackground", theme.footerBackground)} !important; }`,
    `.content-wrapper a:not(.btn), .wrapper-footer a { color: ${hexColour("linkColor", theme.linkColor)}; }`,
    ...(hero ? [`section.home.style-logout { background: url("${hero}") center / cover no-repeat !important; }`] : []),
    "",
  ].join("\n");
}

/**
 * A static page as the theme's Mako template. The HTML is markdown-it's with raw HTML off, so every `<` the owner
 * typed is `&lt;`: nothing in it can close the <%text> block, inside which Mako runs no ${...}, <% %> or % line.
 */
function staticPageTemplate(page: DeployedConfig["pages"][number]): string {
  if (page.html.includes("<%") || page.html.includes("</%")) throw new Error(`the ${page.id} page's HTML holds a Mako tag`);
  return [
    '<%page expression_filter="h"/>',
    '<%inherit file="../main.html" />',
    `<%block name="pagetitle">${htmlEscapedText(STATIC_PAGES[page.id].title)}</%block>`,
    `<main id="main" aria-label="Content" tabindex="-1"><section class="container lyceum-page lyceum-page-${page.id}"><%text>`,
    page.html,
    "</%text></section></main>",
    "",
  ].join("\n");
}

/**
 * Files cloud-init writes (never rendered by Tutor) and the script that puts them into Indigo's theme after
 * `tutor config save` renders it and before `tutor images build openedx` bakes it into the image. Pages travel
 * gzipped: OpenStack's user-data holds 64 KiB in all.
 */
export function themeFiles(config: DeployedConfig, paths: { root: string; tutorRoot: string }) {
  const dir = `${paths.root}/theme`;
  const pageFiles = config.pages.map((page) => ({
    path: `${dir}/static_templates/${MARKETING_KEYS[page.id].toLowerCase()}.html`,
    owner: "root:root",
    permissions: "0644",
    encoding: "gz+b64",
    content: gzipSync(staticPageTemplate(page)).toString("base64"),
  }));
  const primary = hexColour("mainColor", config.theme.mainColor);
  const script = [
    "#!/bin/sh",
    "# Lyceum: the owner's branding into Indigo's LMS theme, in the openedx image's build context.",
    "set -eu",
    `theme=${paths.tutorRoot}/${INDIGO_THEME}`,
    `sed -i 's/^\\$primary: .*;$/$primary: ${primary};/' ${paths.tutorRoot}/${LMS_THEME_SASS}/_variables.scss`,
    `cat ${dir}/lms-extras.scss >> ${paths.tutorRoot}/${LMS_THEME_SASS}/_extras.scss`,
    `mkdir -p "$theme/lms/templates/static_templates"`,
    ...(pageFiles.length ? [`cp ${dir}/static_templates/*.html "$theme/lms/templates/static_templates/"`] : []),
    "",
  ].join("\n");
  return {
    script: `${dir}/apply`,
    files: [
      { path: `${dir}/lms-extras.scss`, owner: "root:root", permissions: "0644", content: lmsThemeScss(config) },
      ...pageFiles,
      { path: `${dir}/apply`, owner: "root:root", permissions: "0755", content: script },
    ],
  };
}
