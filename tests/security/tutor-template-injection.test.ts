// Item 1: text a client types (instance name, description, sender, SMTP account, contact address) is written into
// Tutor's config.yml, which Tutor renders as Jinja2 templates as root on the VM, and pasted into YAML, Python and
// Mako. The user-data is rendered as the portal renders it, then Debian's Jinja2 and PyYAML (/usr/bin/python3)
// drive it as Tutor 17 does (tests/helpers/tutor_render.py): config saved and reloaded twice, settings rendered
// with the plugin's patches and executed; what Django and the browser get must be exactly what was typed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Instance } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptSecret } from "@/server/crypto/secrets";
import { renderMarkdown } from "@/server/branding/markdown";
import { ownerAccountPython } from "@/server/infra/compute/cloud-init/owner-account";
import { deployedConfig, instance, ledger, render } from "../helpers/sample-deployment";

/** Debian's interpreter, with Debian's python3-jinja2 and python3-yaml (.ci/services.sh installs them). */
const PYTHON = "/usr/bin/python3";
const TUTOR_RENDER = path.join(__dirname, "..", "helpers", "tutor_render.py");
const MAKO_RENDER = path.join(__dirname, "..", "helpers", "mako_render.py");
const OWNER_ACCOUNT_RUN = path.join(__dirname, "..", "helpers", "owner_account_run.py");

const workDir = mkdtempSync(path.join(os.tmpdir(), "tutor-injection-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const pwned = path.join(workDir, "pwned");

/** What an attacker types, and what breaks each layer: Jinja2, YAML 1.1, Python strings, Mako and HTML. */
const HOSTILE = [
  `{{ lipsum.__globals__.os.popen("touch ${pwned}").read() }}`,
  `{% raw %}{{ lipsum.__globals__.os.popen("touch ${pwned}-raw").read() }}{% endraw %}`,
  "{% for x in range(3) %}{{ x }}{% endfor %} {# hidden #} {{ 7*7 }}",
  `"""; import os; os.system("touch ${pwned}-py"); x = """`,
  `"\\"; \\\\ back\\slash \\n not a newline`,
  "two\nlines\r\nand a tab\t and a trailing newline\n",
  "${7*7} <% x = 1 %> <script>alert(1)</script> &amp; %>",
  "yes",
  "=",
  "L'École d'été 🎓 \u2028 ~",
];

type TutorRun = {
  config: Record<string, unknown>;
  settings: Record<"lms" | "cms", Record<string, unknown>>;
  envTokens: Record<string, unknown>;
  htmlText: Record<string, { texts: string[]; hrefs: string[] }>;
};

const filesOf = (userData: string) => {
  const files = (parse(userData) as { write_files: { path: string; content: string }[] }).write_files;
  const fileEndingWith = (suffix: string) => files.find((file) => file.path.endsWith(suffix))!.content;
  return { configYml: fileEndingWith("/tutor/config.yml"), pluginYml: fileEndingWith("/tutor-plugins/lyceum.yml") };
};

/** `input`: the user-data (its files read by PyYAML, as cloud-init does), or config.yml and lyceum.yml themselves. */
function runTutor(input: { userData: string } | { configYml: string; pluginYml: string }): TutorRun {
  const output = execFileSync(PYTHON, [TUTOR_RENDER], { input: JSON.stringify(input), encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
  return JSON.parse(output) as TutorRun;
}

const runs = new Map<string, TutorRun>();
/** Tutor run over the user-data of an instance whose every text field holds `text` (once per text). */
function runTutorFor(text: string): TutorRun {
  if (!runs.has(text)) runs.set(text, runTutor({ userData: render(deployedConfig(hostileInstance(text))) }));
  return runs.get(text)!;
}

function hostileInstance(text: string): Instance {
  return {
    ...instance,
    name: `Academy ${text}`,
    description: `About ${text} end`,
    contactEmail: `contact${text}@sample.example`,
    emailSettings: {
      relay: "own",
      senderName: `Sender ${text}`,
      senderAddress: `courses${text}@sample.example`,
      smtp: { host: `smtp${text}.example`, port: 587, tls: "starttls", user: `user ${text}` },
    },
    smtpPasswordSealed: encryptSecret(`pw ${text}`, sealedCells.smtpPassword(instance.id)),
    staticPages: { ...instance.staticPages!, honor: { isVisible: true, markdown: `Honor ${text} end` } },
  };
}

const cloudFilesOf = (userData: string) =>
  (parse(userData) as { write_files: { path: string; content: string; encoding?: string }[] }).write_files.map((file) => ({
    path: file.path,
    content: file.encoding === "gz+b64" ? gunzipSync(Buffer.from(file.content, "base64")).toString("utf8") : file.content,
  }));

/** A theme's main.html as edx-platform's: it shows the page's body block. */
const MAIN_HTML = "<html><body>${next.body()}</body></html>";

const attacks = () => expect(existsSync(pwned) || existsSync(`${pwned}-raw`) || existsSync(`${pwned}-py`)).toBe(false);

describe("client text as Jinja2, YAML, Python and Mako in Tutor's config", () => {
  it.each(HOSTILE)("runs nothing and reaches Django's settings byte for byte: %j", (text) => {
    const typed = hostileInstance(text);
    const run = runTutorFor(text);
    attacks();
    const email = typed.emailSettings!;
    for (const service of ["lms", "cms"] as const) {
      const settings = run.settings[service];
      expect(settings.PLATFORM_NAME).toBe(typed.name);
      expect(settings.CONTACT_EMAIL).toBe(typed.contactEmail);
      expect(settings.TECH_SUPPORT_EMAIL).toBe(typed.contactEmail);
      expect(settings.DEFAULT_FROM_EMAIL).toBe(`${email.senderName} <${email.senderAddress}>`);
      expect(settings.SERVER_EMAIL).toBe(`${email.senderName} <${email.senderAddress}>`);
      expect(settings.EMAIL_HOST).toBe(email.relay === "own" ? email.smtp.host : null);
      expect(settings.EMAIL_HOST_USER).toBe(email.relay === "own" ? email.smtp.user : null);
      expect(settings.EMAIL_HOST_PASSWORD).toBe(`pw ${text}`);
      expect(settings.CONTACT_MAILING_ADDRESS).toBe(`${typed.name} - https://sample.lyceum.example`);
    }
    expect(run.settings.cms.STUDIO_NAME).toBe(`${typed.name} - Studio`);
  });

  it.each(HOSTILE)("shows the description exactly as typed on the themed home page: %j", (text) => {
    const typed = hostileInstance(text);
    const run = runTutorFor(text);
    attacks();
    const overlay = run.htmlText["indigo/lms/templates/index_overlay.html"]!;
    expect(overlay.texts).toContain(typed.description);
    expect(run.htmlText["indigo/lms/templates/footer.html"]!).toEqual({ texts: ["About", "Honor code", "Privacy"], hrefs: ["/about", "/honor", "/privacy"] });
  });

  it.each(HOSTILE)("shows a static page's text exactly as typed, through the LMS theme's real Mako: %j", (text) => {
    const files = cloudFilesOf(render(deployedConfig(hostileInstance(text))));
    const template = files.find((file) => file.path.endsWith("/theme/static_templates/honor.html"))!.content;
    const page = execFileSync(PYTHON, [MAKO_RENDER], { input: JSON.stringify({ template, main: MAIN_HTML }), encoding: "utf8" });
    attacks();
    // Mako passes the owner's HTML through untouched: markdown-it's escaping is all there is, and it holds no tag.
    expect(page).toContain(renderMarkdown(`Honor ${text} end`));
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("49");
  });

  it.each(HOSTILE)("makes the owner's LMS account with their email exactly, running nothing else: %j", (text) => {
    const email = `owner${text}@sample.example`;
    // The code the VM runs, taken from the rendered user-data (the owner's email is the only client text in it).
    const userData = render(deployedConfig(instance, ledger, email));
    const command = (parse(userData) as { runcmd: string[][] }).runcmd.find((argv) => argv.includes("shell"))!;
    const code = command[command.indexOf("-c") + 1]!;
    expect(code).toBe(ownerAccountPython(email, "sample.lyceum.example"));
    const run = JSON.parse(execFileSync(PYTHON, [OWNER_ACCOUNT_RUN], { input: JSON.stringify({ code }), encoding: "utf8" })) as {
      created: { email: string; username: string; is_superuser: boolean; is_staff: boolean; passwordUsable: boolean }[];
      resetEmails: { to: string; secure: boolean; host: string }[];
    };
    attacks();
    expect(run.created).toEqual([expect.objectContaining({ email, is_superuser: true, is_staff: true, passwordUsable: false })]);
    expect(run.created[0]!.username).toMatch(/^[A-Za-z0-9_-]{1,30}$/);
    expect(run.resetEmails).toEqual([{ to: email, secure: true, host: "sample.lyceum.example" }]);
  });

  it("keeps Tutor's own keys inert: the YAML Tutor writes parses, and no Mako expression or tag reaches a template", () => {
    for (const text of HOSTILE) {
      const run = runTutorFor(text);
      for (const key of ["PLATFORM_NAME", "CONTACT_EMAIL", "EMAIL_HOST", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"]) {
        expect(typeof run.envTokens[key]).toBe("string");
      }
      expect(String(run.config.INDIGO_WELCOME_MESSAGE)).not.toMatch(/[{}<>$%"\\\n]/);
    }
    attacks();
  });

  it("keeps whole values that YAML 1.1 reads as booleans or special keys as the strings typed", () => {
    const typed: Instance = {
      ...instance,
      name: "yes",
      emailSettings: { relay: "own", senderName: "Acme", senderAddress: "a@b.example", smtp: { host: "off", port: 587, tls: "starttls", user: "on" } },
      smtpPasswordSealed: encryptSecret("=", sealedCells.smtpPassword(instance.id)),
    };
    const run = runTutor({ userData: render(deployedConfig(typed)) });
    expect(run.config.PLATFORM_NAME).toBe("yes");
    expect(run.envTokens).toMatchObject({ PLATFORM_NAME: "yes", EMAIL_HOST: "off", EMAIL_HOST_USER: "on", EMAIL_HOST_PASSWORD: "=" });
    expect(run.settings.lms).toMatchObject({ PLATFORM_NAME: "yes", EMAIL_HOST: "off", EMAIL_HOST_USER: "on", EMAIL_HOST_PASSWORD: "=" });
  });

  it("would run a payload wrapped in {% raw %}: Tutor saves the rendered config and renders it again", () => {
    // Why config.yml holds client text percent-encoded rather than escaped: the escape survives one pass only.
    const { pluginYml, configYml } = filesOf(render(deployedConfig()));
    const escaped = `{% raw %}{{ lipsum.__globals__.os.popen("touch ${pwned}-escaped").read() }}{% endraw %}`;
    runTutor({ pluginYml, configYml: configYml.replace(/^PLATFORM_NAME: .*$/m, `PLATFORM_NAME: ${JSON.stringify(escaped)}`) });
    expect(existsSync(`${pwned}-escaped`)).toBe(true);
  });

  it("refuses a theme colour that is not a hex colour rather than pasting it into the theme's stylesheet", () => {
    const typed = { ...instance, branding: { ...instance.branding!, mainColor: "#fff; } body { background: url(//evil.example)" } };
    expect(() => render(deployedConfig(typed))).toThrow(/main colour .* is not a hex colour/);
  });
});
