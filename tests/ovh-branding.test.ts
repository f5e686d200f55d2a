// The wizard's branding as an OVH VM receives it: every colour, image and static page the owner chose is in the
// rendered Tutor config, the lyceum plugin or the theme files, and the images are built from them before launch
// (Indigo and the MFEs bake the theme into their images). The golden file (tests/golden/ovh-user-data.yaml) shows
// the sample instance's branding; this checks every field of the wizard's schema, so a new field fails here
// until it reaches the VM.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Instance } from "@/db/schema";
import { brandingColoursSchema, COLOUR_FIELD_NAMES, IMAGE_SLOTS } from "@/server/branding/branding";
import { STATIC_PAGE_IDS, STATIC_PAGES, staticPagesSchema } from "@/server/branding/static-pages";
import { COLOUR_KEYS, IMAGE_KEYS, MARKETING_KEYS } from "@/server/infra/compute/cloud-init/branding";
import { deployedConfig, instance, INSTANCE_ID, render } from "./helpers/sample-deployment";

type WriteFile = { path: string; content: string; permissions: string; encoding?: string };
type CloudConfig = { write_files: WriteFile[]; runcmd: string[][] };
const contentOf = (file: WriteFile) => (file.encoding === "gz+b64" ? gunzipSync(Buffer.from(file.content, "base64")).toString("utf8") : file.content);

function filesOf(userData: string) {
  const cloudConfig = parse(userData) as CloudConfig;
  const byPath = new Map(cloudConfig.write_files.map((file) => [file.path, contentOf(file)]));
  return {
    cloudConfig,
    byPath,
    tutorConfig: parse(byPath.get("/opt/lyceum/tutor/config.yml")!) as Record<string, unknown>,
    plugin: parse(byPath.get("/opt/lyceum/tutor-plugins/lyceum.yml")!) as { config: { defaults: Record<string, unknown> }; patches: Record<string, string> },
  };
}

const image = (slot: string, contentType: string, sha: string) => ({ key: `branding/${INSTANCE_ID}/${slot}`, contentType, bytes: 10, width: 1, height: 1, sha256: sha.padEnd(64, "0") });

/** Every branding field of the wizard set, each to a value found nowhere else. */
const fullyBranded: Instance = {
  ...instance,
  branding: {
    mainColor: "#123456",
    linkColor: "#234567",
    headerBackground: "#345678",
    footerBackground: "#456789",
    acceptLowContrast: true,
    logo: image("logo", "image/png", "d1"),
    favicon: image("favicon", "image/png", "d2"),
    heroCover: image("heroCover", "image/jpeg", "d3"),
    footerLogo: image("footerLogo", "image/png", "d4"),
  },
  staticPages: Object.fromEntries(STATIC_PAGE_IDS.map((id) => [id, { isVisible: true, markdown: `The ${id} page, in **bold**.` }])) as Instance["staticPages"],
};

describe("the wizard's branding on an OVH VM", () => {
  const branded = filesOf(render(deployedConfig(fullyBranded)));
  const everything = [...branded.byPath.values()].join("\n");

  it("covers every field of the wizard's Branding step (colours, images, static pages)", () => {
    // The schema the wizard validates: a field added there and not here fails the next line.
    expect(Object.keys(brandingColoursSchema.shape).sort()).toEqual([...COLOUR_FIELD_NAMES, "acceptLowContrast"].sort());
    expect(Object.keys(staticPagesSchema.shape).sort()).toEqual([...STATIC_PAGE_IDS].sort());
    for (const field of COLOUR_FIELD_NAMES) {
      expect(branded.tutorConfig[COLOUR_KEYS[field]], field).toBe(fullyBranded.branding![field]);
    }
    for (const slot of IMAGE_SLOTS) {
      const url = branded.tutorConfig[IMAGE_KEYS[slot]];
      expect(url, slot).toBe(`https://portal.lyceum.example/api/assets/${INSTANCE_ID}/${slot}?v=${fullyBranded.branding![slot]!.sha256}`);
      // Read by a patch of the plugin (the LMS's settings, MFE_CONFIG) or by the theme's stylesheet.
      const readBy = Object.values(branded.plugin.patches).join("\n") + branded.byPath.get("/opt/lyceum/theme/lms-extras.scss");
      expect(readBy.includes(IMAGE_KEYS[slot]) || readBy.includes(String(url)), slot).toBe(true);
    }
    for (const id of STATIC_PAGE_IDS) {
      const template = branded.byPath.get(`/opt/lyceum/theme/static_templates/${MARKETING_KEYS[id].toLowerCase()}.html`);
      expect(template, id).toContain(`<p>The ${id} page, in <strong>bold</strong>.</p>`);
      expect(branded.tutorConfig.INDIGO_FOOTER_NAV_LINKS).toContainEqual({ title: STATIC_PAGES[id].title, url: STATIC_PAGES[id].path });
    }
    expect(branded.tutorConfig.LYCEUM_BRAND_HIDDEN_PAGES).toEqual([]);
    expect(everything).toContain("header.global-header, header.global-header .main-header { background-color: #345678 !important; }");
    expect(everything).toContain(".wrapper-footer, .wrapper-footer footer { background-color: #456789 !important; }");
  });

  it("gives the MFEs the owner's logos, favicon and colours, and the LMS its logo and favicon", () => {
    const { patches, config } = branded.plugin;
    expect(patches["mfe-lms-production-settings"]).toContain('MFE_CONFIG["LOGO_URL"] = {{ LYCEUM_BRAND_LOGO_URL|tojson }}');
    expect(patches["mfe-lms-production-settings"]).toContain('MFE_CONFIG["LOGO_TRADEMARK_URL"] = {{ (LYCEUM_BRAND_FOOTER_LOGO_URL or LYCEUM_BRAND_LOGO_URL)|tojson }}');
    expect(patches["mfe-lms-production-settings"]).toContain('MFE_CONFIG["FAVICON_URL"] = {{ LYCEUM_BRAND_FAVICON_URL|tojson }}');
    expect(patches["openedx-lms-common-settings"]).toContain("LOGO_URL = {{ LYCEUM_BRAND_LOGO_URL|tojson }}");
    expect(patches["openedx-lms-common-settings"]).toContain("FAVICON_URL = {{ LYCEUM_BRAND_FAVICON_URL|tojson }}");
    expect(patches["mfe-dockerfile-pre-npm-build"]).toContain("'{{ INDIGO_PRIMARY_COLOR }}' '{{ LYCEUM_BRAND_LINK_COLOR }}'");
    // Every LYCEUM_BRAND_* key has a plugin default (Tutor refuses a template naming an undefined key).
    for (const key of Object.keys(branded.tutorConfig).filter((key) => key.startsWith("LYCEUM_BRAND_"))) {
      expect(config.defaults, key).toHaveProperty(key.slice("LYCEUM_".length));
    }
  });

  it("reaches Django's settings when Tutor renders the plugin's patches (real Jinja2, settings executed)", () => {
    const run = JSON.parse(
      execFileSync("/usr/bin/python3", [path.join(__dirname, "helpers", "tutor_render.py")], { input: JSON.stringify({ userData: render(deployedConfig(fullyBranded)) }), encoding: "utf8" }),
    ) as { settings: { lms: Record<string, unknown> } };
    const url = (slot: string) => String(branded.tutorConfig[IMAGE_KEYS[slot as keyof typeof IMAGE_KEYS]]);
    expect(run.settings.lms).toMatchObject({
      LOGO_URL: url("logo"),
      FAVICON_URL: url("favicon"),
      MFE_CONFIG: expect.objectContaining({ LOGO_URL: url("logo"), LOGO_WHITE_URL: url("logo"), LOGO_TRADEMARK_URL: url("footerLogo"), FAVICON_URL: url("favicon") }),
    });
    expect(Object.values(run.settings.lms.MKTG_URL_LINK_MAP as Record<string, string | null>)).not.toContain(null);
  });

  it("serves only the pages the owner shows: the others are switched off in the LMS", () => {
    const sample = filesOf(render(deployedConfig()));
    expect(sample.tutorConfig.LYCEUM_BRAND_HIDDEN_PAGES).toEqual(["CONTACT", "TOS", "HONOR"]);
    expect([...sample.byPath.keys()].filter((file) => file.includes("/static_templates/"))).toEqual([
      "/opt/lyceum/theme/static_templates/about.html",
      "/opt/lyceum/theme/static_templates/privacy.html",
    ]);
    expect(sample.plugin.patches["openedx-lms-common-settings"]).toContain("MKTG_URL_LINK_MAP[_lyceum_page] = None");
  });

  it("builds the openedx and mfe images from the branded theme before launching, then makes the owner's account", () => {
    // Each command runs under the boot-phase reporter: compare what comes after its "--".
    const commands = branded.cloudConfig.runcmd.map((command) => command.slice(command.indexOf("--") + 1).join(" "));
    const at = (suffix: string) => commands.findIndex((command) => command.endsWith(suffix));
    const order = [at("tutor config save"), at("/opt/lyceum/theme/apply"), at("tutor images build openedx mfe"), at("tutor local start --detach"), at("tutor local do init")];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(commands.findIndex((command) => command.includes("./manage.py lms shell -c"))).toBeGreaterThan(order[4]!);
  });

  it("has a theme script that puts the colours, the hero image and the pages into Indigo's LMS theme", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "indigo-theme-"));
    try {
      // Indigo v17.4.2's LMS variables (first lines) and an extras file, at the VM's paths moved into a scratch folder.
      const sass = path.join(dir, "tutor/env/build/openedx/themes/indigo/lms/static/sass/partials/lms/theme");
      mkdirSync(sass, { recursive: true });
      writeFileSync(path.join(sass, "_variables.scss"), "$primary: #15376D;\n$primary-light: #F2F7F8;\n");
      writeFileSync(path.join(sass, "_extras.scss"), "// Indigo's extras\n");
      for (const file of branded.cloudConfig.write_files.filter((entry) => entry.path.startsWith("/opt/lyceum/theme/"))) {
        const target = path.join(dir, file.path.slice("/opt/lyceum/".length));
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, contentOf(file).replaceAll("/opt/lyceum", dir), { mode: Number.parseInt(file.permissions, 8) });
      }
      execFileSync("sh", [path.join(dir, "theme/apply")], { stdio: ["ignore", "pipe", "pipe"] });
      expect(readFileSync(path.join(sass, "_variables.scss"), "utf8")).toBe("$primary: #123456;\n$primary-light: #F2F7F8;\n");
      const extras = readFileSync(path.join(sass, "_extras.scss"), "utf8");
      expect(extras).toMatch(/^\/\/ Indigo's extras\n\/\/ Lyceum: the owner's colours and hero image\./);
      expect(extras).toContain(`section.home.style-logout { background: url("https://portal.lyceum.example/api/assets/${INSTANCE_ID}/heroCover?v=d3`);
      const pages = path.join(dir, "tutor/env/build/openedx/themes/indigo/lms/templates/static_templates");
      expect(readFileSync(path.join(pages, "honor.html"), "utf8")).toContain("<p>The honor page, in <strong>bold</strong>.</p>");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
