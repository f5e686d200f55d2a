"""Runs the owner-account code the VM gives `./manage.py lms shell -c` against stand-ins of the few edx-platform
and Django names it uses, recording what it did. stdin: {"code": str, "existing": [[username, email], ...]};
stdout: {"created": [...], "resetEmails": [...]}."""
import json
import sys
import types

request = json.load(sys.stdin)
created, reset_emails = [], []
users = [{"username": username, "email": email} for username, email in request.get("existing", [])]


class Query:
    def __init__(self, **lookup):
        self.lookup = lookup

    def exists(self):
        for user in users:
            if "email__iexact" in self.lookup and user["email"].lower() == self.lookup["email__iexact"].lower():
                return True
            if "username" in self.lookup and user["username"] == self.lookup["username"]:
                return True
        return False


class User:
    objects = types.SimpleNamespace(filter=lambda **lookup: Query(**lookup))

    def __init__(self, **fields):
        self.fields = fields
        self.password_usable = True

    def set_unusable_password(self):
        self.password_usable = False

    def save(self):
        users.append({"username": self.fields["username"], "email": self.fields["email"]})
        created.append({**self.fields, "passwordUsable": self.password_usable})


class Request:
    def __init__(self, secure, host):
        self.secure, self.host = secure, host

    def is_secure(self):
        return self.secure


def module(name, **attributes):
    sys.modules[name] = types.SimpleNamespace(**attributes)


module("django.contrib.auth", get_user_model=lambda: User)
module("django.test", RequestFactory=lambda: types.SimpleNamespace(get=lambda path, secure, HTTP_HOST: Request(secure, HTTP_HOST)))
module("common.djangoapps.student.models", UserProfile=types.SimpleNamespace(objects=types.SimpleNamespace(get_or_create=lambda user, defaults: (None, True))))
module(
    "openedx.core.djangoapps.user_authn.views.password_reset",
    send_password_reset_email_for_user=lambda user, req: reset_emails.append({"to": user.fields["email"], "secure": req.is_secure(), "host": req.host}),
)
exec(compile(request["code"], "<shell -c>", "exec"), {})
json.dump({"created": created, "resetEmails": reset_emails}, sys.stdout)
