"""Renders an LMS theme template with the real Mako (Debian's python3-mako), as edx-platform does, to show what
reaches the browser. stdin: {"template": str, "main": str} (main.html, which the page inherits from); stdout: the
rendered page."""
import json
import os
import sys
import tempfile

from mako.lookup import TemplateLookup

request = json.load(sys.stdin)
with tempfile.TemporaryDirectory() as root:
    os.mkdir(os.path.join(root, "static_templates"))
    for name, text in (("main.html", request["main"]), ("static_templates/page.html", request["template"])):
        with open(os.path.join(root, name), "w", encoding="utf-8") as file:
            file.write(text)
    sys.stdout.write(TemplateLookup(directories=[root]).get_template("/static_templates/page.html").render())
