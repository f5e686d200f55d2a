// The owner's way into their own LMS and Studio: at first boot the VM creates a superuser with the owner's account
// email and no usable password, and sends them Open edX's own password-reset email (a one-time link) through the
// instance's mail settings. Lyceum's staff get no account on it.
//
// Not Tutor's `createuser` job (tutor v17.0.6, commands/jobs.py): it pastes the name, email and password unquoted
// into a shell script. Instead the LMS's Django shell runs fixed code, given the email percent-encoded (inert
// in Python, YAML and the argv cloud-init passes on without a shell), doing what edx-platform's manage_user and
// password reset view do: a User and its UserProfile, then send_password_reset_email_for_user (Quince,
// openedx/core/djangoapps/user_authn/views/password_reset.py), which needs a request only for is_secure().
import { percentEncodedText } from "./tutor-text";

/** An Open edX username from the email's local part: letters, digits, _ and -, at most 30 characters. */
function ownerUsername(email: string): string {
  const local = email.split("@")[0] ?? "";
  const name = local.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^[_-]+|[_-]+$/g, "").slice(0, 30);
  return name || "owner";
}

/** Python for `./manage.py lms shell -c`: idempotent (nothing happens once an account has the email). */
export function ownerAccountPython(email: string, lmsHost: string): string {
  return [
    "from urllib.parse import unquote",
    "from django.contrib.auth import get_user_model",
    "from django.test import RequestFactory",
    "from common.djangoapps.student.models import UserProfile",
    "from openedx.core.djangoapps.user_authn.views.password_reset import send_password_reset_email_for_user",
    `email = unquote(${JSON.stringify(percentEncodedText(email))})`,
    `username = base = ${JSON.stringify(ownerUsername(email))}`,
    `host = unquote(${JSON.stringify(percentEncodedText(lmsHost))})`,
    "User = get_user_model()",
    "if not User.objects.filter(email__iexact=email).exists():",
    "    suffix = 1",
    "    while User.objects.filter(username=username).exists():",
    "        suffix += 1",
    "        username = base[:27] + str(suffix)",
    "    user = User(username=username, email=email, is_active=True, is_staff=True, is_superuser=True)",
    "    user.set_unusable_password()",
    "    user.save()",
    "    UserProfile.objects.get_or_create(user=user, defaults={'name': username})",
    "    send_password_reset_email_for_user(user, RequestFactory().get('/', secure=True, HTTP_HOST=host))",
    "",
  ].join("\n");
}

/** The argv after `tutor`: a one-off LMS container running the code above (`tutor local run` is `docker compose run`). */
export function ownerAccountCommand(email: string, lmsHost: string): string[] {
  return ["local", "run", "lms", "./manage.py", "lms", "shell", "-c", ownerAccountPython(email, lmsHost)];
}
