// The cloud-init user-data an OVH VM boots with, rendered for a fixed sample instance into a golden file
// (UPDATE_GOLDEN=1 rewrites it): it is YAML that starts with #cloud-config, Tutor's config.yml inside it
// carries the instance's hosts and credentials, and `cloud-init schema` accepts it where cloud-init is installed.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Instance } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptSecret } from "@/server/crypto/secrets";
import { renderServiceConfig } from "@/server/instances/service-config";
import { renderSiteConfig } from "@/server/instances/site-config";
import { renderTutorConfig } from "@/server/infra/compute/cloud-init/tutor-config";
import { parseDeployedConfig } from "@/server/infra/compute/cloud-init/deployed-config";
import { assertStateOffVm, BROKER_URL_KEY, isVmLocalHost, OBJECT_STORAGE_BUCKET_KEYS, STATEFUL_TUTOR_SERVICES } from "@/server/infra/compute/cloud-init/state-off-vm";
import { OPENEDX_TRACKING_LOGS } from "@/server/instances/openedx-services";
import { DEPLOYMENT_ID, deployedConfig, instance, ledger, PLATFORM, render, SAMPLE_RELEASE, SAMPLE_TUTOR_SECRETS } from "./helpers/sample-deployment";

const GOLDEN = path.join(__dirname, "golden", "ovh-user-data.yaml");
type CloudConfig = { packages: string[]; write_files: { path: string; content: string; permissions: string }[]; runcmd: string[][] };
const fileIn = (cloudConfig: CloudConfig, suffix: string) => cloudConfig.write_files.find((file) => file.path.endsWith(suffix))!;
const tutorConfigOf = (userData: string) => parse(fileIn(parse(userData) as CloudConfig, "/tutor/config.yml").content) as Record<string, unknown>;

const hasCloudInit = (() => {
  try {
    execFileSync("cloud-init", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const hasLogrotate = (() => {
  try {
    execFileSync("logrotate", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const hasPython = (() => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!hasCloudInit) console.info("skipping `cloud-init schema`: cloud-init is not installed (Debian package cloud-init)");

describe("the OVH VM's cloud-init user-data", () => {
  const userData = render(deployedConfig());

  it("matches the golden file (UPDATE_GOLDEN=1 rewrites it)", () => {
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, userData);
    expect(userData).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("is a #cloud-config document that installs Tutor and launches Open edX", () => {
    expect(userData.startsWith("#cloud-config\n")).toBe(true);
    const cloudConfig = parse(userData) as CloudConfig;
    expect(cloudConfig.packages).toEqual(expect.arrayContaining(["docker.io", "docker-compose-v2", "python3-venv"]));
    expect(fileIn(cloudConfig, "/tutor/config.yml").permissions).toBe("0600");
    const commands = cloudConfig.runcmd.map((command) => command.join(" "));
    expect(commands).toContainEqual(expect.stringMatching(/pip install --quiet tutor==17\.0\.6 tutor-contrib-s3==1\.4\.0 tutor-indigo==17\.4\.2 tutor-mfe==17\.0\.1$/));
    // What `tutor local launch` does, in its order: config, start, then the init jobs (migrations).
    const order = ["tutor config save", "tutor images pull all", "tutor local start --detach", "tutor local do init"].map((end) => commands.findIndex((c) => c.endsWith(end)));
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!))).toBe(true);
    expect(commands.every((command) => command.includes("tutor ") === command.includes("TUTOR_ROOT=/opt/lyceum/tutor"))).toBe(true);
  });

  it("pins Tutor and every plugin to the release's exact version: nothing installed floats", () => {
    const pipCommands = (parse(userData) as CloudConfig).runcmd.filter((command) => command.includes("install") && command.some((part) => part.endsWith("/pip")));
    expect(pipCommands).toHaveLength(1);
    const requirements = pipCommands[0]!.slice(pipCommands[0]!.indexOf("--quiet") + 1);
    expect(requirements.length).toBeGreaterThan(1);
    for (const requirement of requirements) expect(requirement).toMatch(/^[a-z0-9-]+==\d+\.\d+\.\d+$/);
    expect(userData).not.toMatch(/[<>~]=|tutor\[full\]/);
    // A configuration without a release (rendered before there were releases) boots nothing rather than float.
    const unreleased: Record<string, unknown> = deployedConfig();
    delete unreleased.release;
    expect(() => render(unreleased)).toThrow(/release: is missing/);
    expect(() => render({ ...deployedConfig(), release: { ...SAMPLE_RELEASE, tutorVersion: ">=17.0.0,<18.0.0" } })).toThrow(/exact version/);
  });

  it("gives Tutor the instance's hosts, data services, mail, storage and theme", () => {
    expect(tutorConfigOf(userData)).toMatchObject({
      PLATFORM_NAME: "Sample Academy",
      CONTACT_EMAIL: "hello@sample.example",
      LMS_HOST: "sample.lyceum.example",
      CMS_HOST: "studio-sample.lyceum.example",
      PREVIEW_LMS_HOST: "preview-sample.lyceum.example",
      MFE_HOST: "apps-sample.lyceum.example",
      ENABLE_HTTPS: true,
      ENABLE_WEB_PROXY: false,
      PLUGINS: ["indigo", "mfe", "s3", "lyceum", "lyceum_mysql"],
      RUN_MYSQL: false,
      MYSQL_HOST: "mysql.internal",
      MYSQL_PORT: 3306,
      MYSQL_ROOT_USERNAME: "lyc_abcdef012345_migrate",
      MYSQL_ROOT_PASSWORD: "mysql-migrate-pw",
      OPENEDX_MYSQL_DATABASE: "lyc_abcdef012345_edxapp",
      OPENEDX_MYSQL_USERNAME: "lyc_abcdef012345_edxapp",
      OPENEDX_MYSQL_PASSWORD: "mysql-edxapp-pw",
      RUN_MONGODB: false,
      RUN_REDIS: false,
      MONGODB_HOST: "mongo1.internal",
      MONGODB_PORT: 27017,
      MONGODB_DATABASE: "lyc_abcdef012345",
      MONGODB_USERNAME: "lyc_abcdef012345",
      MONGODB_PASSWORD: "mongo-pw",
      RUN_ELASTICSEARCH: true,
      RUN_SMTP: false,
      SMTP_HOST: "relay.lyceum.example",
      SMTP_PORT: 587,
      SMTP_USERNAME: "lyc_abcdef012345",
      SMTP_PASSWORD: "relay-token",
      SMTP_USE_TLS: true,
      SMTP_USE_SSL: false,
      OPENEDX_AWS_ACCESS_KEY: "AKIASAMPLEKEY",
      OPENEDX_AWS_SECRET_ACCESS_KEY: "s3-secret-key",
      S3_HOST: "s3.eu-west-3.amazonaws.com",
      S3_STORAGE_BUCKET: "lyc-abcdef012345",
      S3_ADDRESSING_STYLE: "virtual",
      INDIGO_PRIMARY_COLOR: "#1d4ed8",
      INDIGO_WELCOME_MESSAGE: "Courses in astronomy and sailing.",
      INDIGO_FOOTER_NAV_LINKS: [
        { title: "About", url: "/about" },
        { title: "Privacy", url: "/privacy" },
      ],
      LYCEUM_CELERY_BROKER_URL: "amqp://lyc_abcdef012345:rabbit-pw@rabbit.internal:5672/lyc_abcdef012345",
      LYCEUM_MEMCACHED_HOST: "memcached:11211",
      // Client-typed text also travels percent-encoded, for the lyceum plugin to set in Django exactly.
      LYCEUM_TEXT_PLATFORM_NAME: "Sample%20Academy",
      LYCEUM_TEXT_DEFAULT_FROM_EMAIL: "Sample%20Academy%20%3Ccourses%40sample.example%3E",
    });
    const plugin = parse(fileIn(parse(userData) as CloudConfig, "/tutor-plugins/lyceum.yml").content) as { name: string; patches: Record<string, string> };
    expect(plugin.name).toBe("lyceum");
    expect(plugin.patches["openedx-common-settings"]).toContain("BROKER_URL = {{ LYCEUM_CELERY_BROKER_URL|tojson }}");
    expect(plugin.patches["local-docker-compose-services"]).toContain("image: docker.io/memcached:");
    // Tutor's MySQL init job (CREATE USER as "root") is dropped: the accounts exist, and ours may not create users.
    expect(fileIn(parse(userData) as CloudConfig, "/tutor-plugins/lyceum_mysql.py").content).toContain('if service != "mysql"');
    // The platform's health check reaches the VM by IP address: Caddy passes /heartbeat to the heartbeat service.
    expect(plugin.patches.caddyfile).toMatch(/^:\{\{ CADDY_HTTP_PORT \}\} \{\n {4}handle \/heartbeat \{\n {8}reverse_proxy lyceum-heartbeat:8090\n/m);
  });

  it("points at shared Elasticsearch and memcached hosts when they are configured", () => {
    const shared = render(deployedConfig(), { ...PLATFORM, elasticsearchHost: "https://search.internal:9243", memcachedHost: "cache.internal:11211" });
    expect(tutorConfigOf(shared)).toMatchObject({
      RUN_ELASTICSEARCH: false,
      ELASTICSEARCH_SCHEME: "https",
      ELASTICSEARCH_HOST: "search.internal",
      ELASTICSEARCH_PORT: 9243,
      LYCEUM_MEMCACHED_HOST: "cache.internal:11211",
    });
    const plugin = parse(fileIn(parse(shared) as CloudConfig, "/tutor-plugins/lyceum.yml").content) as { patches: Record<string, string> };
    expect(plugin.patches["local-docker-compose-services"]).not.toContain("memcached");
  });

  it("keeps no instance data on the VM: every stateful service is off and every data host is the platform's", () => {
    const tutorConfig = tutorConfigOf(userData);
    for (const service of STATEFUL_TUTOR_SERVICES) {
      // RUN_MINIO belongs to tutor-minio, which is not installed: absent, no MinIO runs.
      if (service.run === "RUN_MINIO") expect(tutorConfig[service.run]).toBeUndefined();
      else expect(tutorConfig[service.run], service.run).toBe(false);
      if (service.host) expect(isVmLocalHost(String(tutorConfig[service.host])), `${service.host} ${tutorConfig[service.host]}`).toBe(false);
    }
    expect(tutorConfig).toMatchObject({ MYSQL_HOST: "mysql.internal", MONGODB_HOST: "mongo1.internal", S3_HOST: "s3.eu-west-3.amazonaws.com" });
    // Uploads, grade exports and profile images all go to the instance's bucket (tutor-contrib-s3 would keep profile
    // images on the VM's disk with its default, an empty bucket name).
    for (const key of OBJECT_STORAGE_BUCKET_KEYS) expect(tutorConfig[key], key).toBe("lyc-abcdef012345");
    expect(new URL(String(tutorConfig[BROKER_URL_KEY])).hostname).toBe("rabbit.internal");
    expect(tutorConfig.PLUGINS).not.toContain("minio");
  });

  it("gives Tutor the instance's own secrets, so `tutor config save` keeps them instead of generating new ones", () => {
    expect(tutorConfigOf(userData)).toMatchObject(SAMPLE_TUTOR_SECRETS);
    const withoutSecrets = ledger.filter((entry) => entry.kind !== "tutor.secrets");
    expect(() => render(deployedConfig(instance, withoutSecrets))).toThrow(/services\.tutor: is missing: the instance's Tutor secrets were not generated/);
  });

  it("refuses a configuration without the instance's MongoDB database, naming RUN_MONGODB and MONGODB_ADMIN_URL", () => {
    const withoutMongo = ledger.filter((entry) => entry.kind !== "mongodb.user");
    expect(() => render(deployedConfig(instance, withoutMongo))).toThrow(/RUN_MONGODB would keep course content on the disposable VM: set MONGODB_ADMIN_URL/);
  });

  it("refuses a Tutor config that keeps any stateful service on the VM, naming the Tutor key", () => {
    const tutorConfig = renderTutorConfig(parseDeployedConfig(deployedConfig()), PLATFORM);
    expect(() => assertStateOffVm(tutorConfig)).not.toThrow();
    const onVm: [string, Record<string, unknown>][] = [
      ["RUN_MYSQL", { RUN_MYSQL: true }],
      ["MYSQL_HOST", { MYSQL_HOST: "mysql" }],
      ["RUN_MONGODB", { RUN_MONGODB: true }],
      ["MONGODB_HOST", { MONGODB_HOST: "127.0.0.1" }],
      ["RUN_REDIS", { RUN_REDIS: undefined }],
      ["RUN_MINIO", { RUN_MINIO: true }],
      ["S3_HOST", { S3_HOST: "minio" }],
      ["PLUGINS", { PLUGINS: ["mfe", "minio"] }],
      ["S3_PROFILE_IMAGE_BUCKET", { S3_PROFILE_IMAGE_BUCKET: "" }],
      ["S3_GRADE_BUCKET", { S3_GRADE_BUCKET: "another-bucket" }],
      [BROKER_URL_KEY, { [BROKER_URL_KEY]: "amqp://u:p@localhost:5672/v" }],
    ];
    for (const [key, change] of onVm) {
      expect(() => assertStateOffVm({ ...tutorConfig, ...change }), key).toThrow(new RegExp(`disposable VM: (.*; )?${key} `));
    }
  });

  it("rebuilds the course search index after the init jobs, since the index is not kept with the VM", () => {
    const commands = (parse(userData) as CloudConfig).runcmd.map((command) => command.join(" "));
    const reindex = commands.findIndex((c) => c.endsWith("tutor local run cms ./manage.py cms reindex_course --all --setup"));
    expect(reindex).toBeGreaterThan(commands.findIndex((c) => c.endsWith("tutor local do init")));
  });

  it("ships the LMS tracking log daily, compressed, to the instance's bucket under the prefix its lifecycle rule expires", () => {
    const cloudConfig = parse(userData) as CloudConfig;
    expect(cloudConfig.packages).toContain("rclone");
    const logrotate = fileIn(cloudConfig, "/etc/logrotate.d/lyceum-tracking-log").content;
    // Tutor mounts $(tutor config printroot)/data/lms at the LMS's /openedx/data; LOG_DIR is /openedx/data/logs.
    expect(logrotate).toMatch(/^\/opt\/lyceum\/tutor\/data\/lms\/logs\/tracking\.log \{$/m);
    for (const directive of ["daily", "compress", "nocreate", "lastaction"]) expect(logrotate).toMatch(new RegExp(`^ {4}${directive}$`, "m"));
    expect(logrotate).toContain("        /opt/lyceum/ship-tracking-logs\n");
    const script = fileIn(cloudConfig, "/opt/lyceum/ship-tracking-logs");
    expect(script.permissions).toBe("0755");
    const destination = /move \/opt\/lyceum\/tutor\/data\/lms\/logs instance-bucket:([^/]+)\/(\S+) --include 'tracking\.log-\*\.gz'/.exec(script.content);
    expect(destination?.[1]).toBe("lyc-abcdef012345");
    // The same constant the object_storage step gives the bucket's lifecycle rule (expire-tracking-logs).
    expect(OPENEDX_TRACKING_LOGS.prefix).toBe("logs/tracking/");
    expect(destination?.[2]).toBe(`${OPENEDX_TRACKING_LOGS.prefix}${DEPLOYMENT_ID}/`);
    // rclone signs with the instance's own key; the file holding its secret is root's only.
    const rclone = fileIn(cloudConfig, "/opt/lyceum/rclone.conf");
    expect(rclone.permissions).toBe("0600");
    expect(rclone.content).toContain("[instance-bucket]\ntype = s3\nprovider = AWS\nenv_auth = false\naccess_key_id = AKIASAMPLEKEY\nsecret_access_key = s3-secret-key\nregion = eu-west-3\n");
  });

  it.skipIf(!hasLogrotate)("has a logrotate rule that compresses the tracking log before the shipping script runs", () => {
    const cloudConfig = parse(userData) as CloudConfig;
    const dir = mkdtempSync(path.join(os.tmpdir(), "tracking-log-"));
    try {
      // The VM's paths moved into a scratch folder; the shipping script records what it would move.
      mkdirSync(path.join(dir, "logs"));
      writeFileSync(path.join(dir, "logs", "tracking.log"), '{"event_type": "play_video"}\n');
      writeFileSync(path.join(dir, "ship"), `#!/bin/sh\nls ${dir}/logs > ${dir}/shipped\n`, { mode: 0o755 });
      const rule = fileIn(cloudConfig, "/etc/logrotate.d/lyceum-tracking-log")
        .content.replace("/opt/lyceum/tutor/data/lms/logs", path.join(dir, "logs"))
        .replace("/opt/lyceum/ship-tracking-logs", path.join(dir, "ship"));
      writeFileSync(path.join(dir, "rule"), rule, { mode: 0o644 });
      execFileSync("logrotate", ["--force", "--state", path.join(dir, "state"), path.join(dir, "rule")], { stdio: ["ignore", "pipe", "pipe"] });
      const shipped = readFileSync(path.join(dir, "shipped"), "utf8").trim().split("\n");
      expect(shipped).toEqual([expect.stringMatching(/^tracking\.log-\d{8}-\d+\.gz$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends mail through the client's own SMTP server with its unsealed password", () => {
    const own: Instance = {
      ...instance,
      emailSettings: {
        relay: "own",
        senderName: "Sample Academy",
        senderAddress: "courses@sample.example",
        smtp: { host: "smtp.sample.example", port: 465, tls: "tls", user: "mailer" },
      },
      smtpPasswordSealed: encryptSecret("client-smtp-pw", sealedCells.smtpPassword(instance.id)),
    };
    expect(tutorConfigOf(render(deployedConfig(own)))).toMatchObject({
      SMTP_HOST: "smtp.sample.example",
      SMTP_PORT: 465,
      SMTP_USERNAME: "mailer",
      SMTP_PASSWORD: "client-smtp-pw",
      SMTP_USE_SSL: true,
      SMTP_USE_TLS: false,
    });
  });

  it("refuses a configuration whose secrets were not merged in, naming what is missing", () => {
    const site = renderSiteConfig(instance, { LYCEUM_BASE_DOMAIN: "lyceum.example", publicUrl: "https://portal.lyceum.example" });
    const { services } = renderServiceConfig(ledger, { endpoint: null, forcePathStyle: false }, instance);
    expect(() => render({ ...site, services })).toThrow(/services\.mysql\.users\.edxapp\.password/);
  });

  it.skipIf(!hasPython)("ships a Tutor Python plugin that is valid Python", () => {
    const source = fileIn(parse(userData) as CloudConfig, "/tutor-plugins/lyceum_mysql.py").content;
    expect(() => execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: source, stdio: ["pipe", "ignore", "pipe"] })).not.toThrow();
  });

  it.skipIf(!hasCloudInit)("passes `cloud-init schema`", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "user-data-"));
    try {
      const file = path.join(dir, "user-data.yaml");
      writeFileSync(file, userData, { mode: 0o600 });
      const output = execFileSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(output).toMatch(/Valid (cloud-config|schema)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
