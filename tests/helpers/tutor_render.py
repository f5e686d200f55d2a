"""Renders a Lyceum config.yml and lyceum.yml plugin the way Tutor 17 does, with the real Jinja2 and PyYAML.

Mirrors tutor/env.py and tutor/config.py of Tutor v17.0.6 (commit ad6045db757e2102a9e4b21ef07734f15e1d3c81):
  - Renderer: jinja2.Environment(undefined=StrictUndefined), a `patch` global that renders each plugin patch with
    the config as context, every template rendered with `render(**config)`;
  - render_full: each config value rendered as a template (render_unknown: strings, and the strings in lists and
    dicts), in place, with the config as it stands at that moment as context;
  - `tutor config save`: load_minimal (yaml.safe_load, render_full), save_config_file (yaml.dump of the *rendered*
    config back to config.yml), load_full (read it again, plugin defaults merged, render_full), then the env
    templates rendered; `tutor local launch` does the load_minimal/save/load_full round once more.
The templates below are Tutor's, tutor-mfe's (v17.0.1: MFE_CONFIG, then the mfe-lms-production-settings patch) and tutor-indigo's (v17.4.2) lines that use the config
values Lyceum writes, cut down to those lines. The rendered settings modules are executed, as Django would import
them, with ENV_TOKENS and AUTH_TOKENS parsed from the rendered lms.env.yml.

stdin: {"userData": str} (the #cloud-config, read with PyYAML as cloud-init reads it) or {"configYml": str,
"pluginYml": str}, and optionally "cacheKeys": keys whose stored form in each cache is reported; stdout: JSON of
what each layer produced.
"""
import copy
import html.parser
import json
import sys

import jinja2
import yaml

ENV_YML = """PLATFORM_NAME: "{{ PLATFORM_NAME }}"
LMS_ROOT_URL: "{{ "https" if ENABLE_HTTPS else "http" }}://{{ LMS_HOST }}"
CONTACT_EMAIL: "{{ CONTACT_EMAIL }}"
EMAIL_HOST: "{{ SMTP_HOST }}"
EMAIL_PORT: {{ SMTP_PORT }}
EMAIL_USE_TLS: {{ "true" if SMTP_USE_TLS else "false" }}
EMAIL_HOST_USER: "{{ SMTP_USERNAME }}"
EMAIL_HOST_PASSWORD: "{{ SMTP_PASSWORD }}"
"""

# lms/envs/production.py reads these from the env files before Tutor's settings run (MKTG_URL_LINK_MAP: from
# lms/envs/common.py, cut down to the static pages).
PRODUCTION_PY = """
MKTG_URL_LINK_MAP = {"ABOUT": "about", "CONTACT": "contact", "TOS": "tos", "HONOR": "honor", "PRIVACY": "privacy"}
PLATFORM_NAME = ENV_TOKENS["PLATFORM_NAME"]
LMS_ROOT_URL = ENV_TOKENS["LMS_ROOT_URL"]
EMAIL_HOST = ENV_TOKENS["EMAIL_HOST"]
EMAIL_HOST_USER = AUTH_TOKENS["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = AUTH_TOKENS["EMAIL_HOST_PASSWORD"]
"""

COMMON_ALL_PY = """
ELASTIC_SEARCH_CONFIG = [{
  {% if ELASTICSEARCH_SCHEME == "https" %}"use_ssl": True,{% endif %}
  "host": "{{ ELASTICSEARCH_HOST }}",
  "port": {{ ELASTICSEARCH_PORT }},
}]
CACHES = {
    "default": {"KEY_PREFIX": "default", "VERSION": "1", "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
    "general": {"KEY_PREFIX": "general", "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
    "mongo_metadata_inheritance": {"KEY_PREFIX": "mongo_metadata_inheritance", "TIMEOUT": 300, "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
    "configuration": {"KEY_PREFIX": "configuration", "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
    "celery": {"KEY_PREFIX": "celery", "TIMEOUT": 7200, "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
    "course_structure_cache": {"KEY_PREFIX": "course_structure", "TIMEOUT": 604800, "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
    "ora2-storage": {"KEY_PREFIX": "ora2-storage", "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://@redis:6379/1"},
}
CONTACT_MAILING_ADDRESS = "{{ PLATFORM_NAME }} - {% if ENABLE_HTTPS %}https{% else %}http{% endif %}://{{ LMS_HOST }}"
DEFAULT_FROM_EMAIL = ENV_TOKENS.get("DEFAULT_FROM_EMAIL", ENV_TOKENS["CONTACT_EMAIL"])
DEFAULT_FEEDBACK_EMAIL = ENV_TOKENS.get("DEFAULT_FEEDBACK_EMAIL", ENV_TOKENS["CONTACT_EMAIL"])
SERVER_EMAIL = ENV_TOKENS.get("SERVER_EMAIL", ENV_TOKENS["CONTACT_EMAIL"])
TECH_SUPPORT_EMAIL = ENV_TOKENS.get("TECH_SUPPORT_EMAIL", ENV_TOKENS["CONTACT_EMAIL"])
CONTACT_EMAIL = ENV_TOKENS.get("CONTACT_EMAIL", ENV_TOKENS["CONTACT_EMAIL"])
BUGS_EMAIL = ENV_TOKENS.get("BUGS_EMAIL", ENV_TOKENS["CONTACT_EMAIL"])
EMAIL_USE_SSL = {{ SMTP_USE_SSL }}

{{ patch("openedx-common-settings") }}
"""

TEMPLATES = {
    "apps/openedx/config/lms.env.yml": ENV_YML,
    "apps/openedx/settings/partials/common_all.py": COMMON_ALL_PY,
    "apps/openedx/settings/lms/production.py": PRODUCTION_PY
    + '{% include "apps/openedx/settings/partials/common_all.py" %}\n'
    + '{{ patch("openedx-lms-common-settings") }}\n'
    # tutor-mfe's openedx-lms-production-settings patch
    + 'MFE_CONFIG = {"INFO_EMAIL": "{{ CONTACT_EMAIL }}", "SITE_NAME": "{{ PLATFORM_NAME }}"}\n'
    + '{{ patch("mfe-lms-production-settings") }}\n',
    "apps/openedx/settings/cms/production.py": PRODUCTION_PY
    + '{% include "apps/openedx/settings/partials/common_all.py" %}\n'
    + 'STUDIO_NAME = "{{ PLATFORM_NAME }} - Studio"\n'
    + '{{ patch("openedx-cms-common-settings") }}\n',
    # tutor-indigo: lms/templates/index_overlay.html and the footer's links (Mako templates, rendered by Jinja first)
    "indigo/lms/templates/index_overlay.html": "<h1>${settings.PLATFORM_NAME}</h1>\n<p>{{ INDIGO_WELCOME_MESSAGE }}</p>\n",
    "indigo/lms/templates/footer.html": (
        "{% for link in INDIGO_FOOTER_NAV_LINKS %}\n"
        "<li>\n  <a href=\"{{ link['url'] }}\">{{ link['title'] }}</a>\n</li>\n"
        "{% endfor %}\n"
    ),
}


class Renderer:
    """tutor.env.Renderer"""

    def __init__(self, config, patches):
        self.config = copy.deepcopy(config)
        self.patches = patches
        self.environment = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), undefined=jinja2.StrictUndefined)
        self.environment.globals["patch"] = self.patch

    def patch(self, name, separator="\n", suffix=""):
        rendered = separator.join(self.render_str(text) for text in self.patches.get(name, []))
        return rendered + suffix if rendered else rendered

    def render_str(self, text):
        return self.environment.from_string(text).render(**self.config)

    def render_template(self, name):
        return self.environment.get_template(name).render(**self.config)


def render_unknown(config, value, patches):
    if isinstance(value, str):
        return Renderer(config, patches).render_str(value)
    if isinstance(value, dict):
        return {k: render_unknown(config, v, patches) for k, v in value.items()}
    if isinstance(value, list):
        return [render_unknown(config, v, patches) for v in value]
    return value


def render_full(config, patches):
    for key, value in config.items():
        config[key] = render_unknown(config, value, patches)


def dump(config):
    """tutor.serialize.dump, as save_config_file writes config.yml"""
    return yaml.dump(config, default_flow_style=False, allow_unicode=True)


def main():
    request = json.load(sys.stdin)
    if "userData" in request:
        files = {entry["path"]: entry["content"] for entry in yaml.safe_load(request["userData"])["write_files"]}
        request["configYml"] = files["/opt/lyceum/tutor/config.yml"]
        request["pluginYml"] = files["/opt/lyceum/tutor-plugins/lyceum.yml"]
    plugin = yaml.safe_load(request["pluginYml"])
    patches = {name: [text] for name, text in plugin.get("patches", {}).items()}
    # A v0 plugin's config defaults are prefixed with its name in upper case.
    defaults = {f"{plugin['name'].upper()}_{key}": value for key, value in plugin["config"]["defaults"].items()}
    defaults.update({"ENABLE_HTTPS": False, "LMS_HOST": "local.edly.io", "ELASTICSEARCH_SCHEME": "http", "ELASTICSEARCH_HOST": "elasticsearch", "ELASTICSEARCH_PORT": 9200})

    def load_minimal(text):
        config = yaml.safe_load(text)
        render_full(config, patches)
        return config

    def load_full(text):
        config = yaml.safe_load(text)
        for key, value in defaults.items():
            config.setdefault(key, value)
        render_full(config, patches)
        return config

    config_yml = request["configYml"]
    # tutor config save, then tutor local launch's interactive_configuration (non-interactive): each saves the
    # rendered config and reloads it.
    for _ in range(2):
        config_yml = dump(load_minimal(config_yml))
        config = load_full(config_yml)

    renderer = Renderer(config, patches)
    rendered = {name: renderer.render_template(name) for name in TEMPLATES}
    env_tokens = yaml.safe_load(rendered["apps/openedx/config/lms.env.yml"])
    settings = {}
    for service in ("lms", "cms"):
        namespace = {"ENV_TOKENS": env_tokens, "AUTH_TOKENS": env_tokens}
        exec(compile(rendered[f"apps/openedx/settings/{service}/production.py"], f"{service}/production.py", "exec"), namespace)
        settings[service] = {key: value for key, value in namespace.items() if key.isupper() and key not in ("ENV_TOKENS", "AUTH_TOKENS")}
        # The key each cache stores for a sample of keys, as Django makes it (KEY_FUNCTION, else default_key_func).
        settings[service]["STORED_KEYS"] = {
            name: [stored_key(cache, key) for key in request.get("cacheKeys", [])] for name, cache in namespace["CACHES"].items()
        }

    json.dump(
        {
            "config": config,
            "configYml": config_yml,
            "envTokens": env_tokens,
            "settings": settings,
            "html": {name: text for name, text in rendered.items() if name.endswith(".html")},
            "htmlText": {name: page_text(text) for name, text in rendered.items() if name.endswith(".html")},
        },
        sys.stdout,
        default=lambda value: f"<{type(value).__name__}>",
    )


def stored_key(cache, key):
    """django.core.cache.backends.base.BaseCache.make_key"""
    key_function = cache.get("KEY_FUNCTION")
    if key_function is None:
        return "%s:%s:%s" % (cache.get("KEY_PREFIX", ""), cache.get("VERSION", 1), key)
    if not callable(key_function):
        raise TypeError(f"KEY_FUNCTION {key_function!r} is not defined in the settings")
    return key_function(key, cache.get("KEY_PREFIX", ""), cache.get("VERSION", 1))


class _PageText(html.parser.HTMLParser):
    """What a browser shows: the text of each element and each link's href, character references decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.hrefs.extend(value for name, value in attrs if name == "href")

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data)


def page_text(text):
    parser = _PageText()
    parser.feed(text)
    parser.close()
    return {"texts": parser.texts, "hrefs": parser.hrefs}


if __name__ == "__main__":
    main()
