#!/usr/bin/env bash
# Runs before `npm test`: the integration tests drive real services and Debian tools. When one is missing, bring
# everything up with the same idempotent script CI uses (as root), or stop with one line naming what is missing.
set -uo pipefail
cd "$(dirname "$0")/.."

missing() {
  local gone=()
  mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1 || gone+=("MariaDB on 127.0.0.1:3306")
  curl -fsS -o /dev/null -u guest:guest http://127.0.0.1:15672/api/overview 2>/dev/null || gone+=("RabbitMQ's management API on 127.0.0.1:15672")
  [ -x /usr/sbin/haproxy ] || gone+=("haproxy")
  command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1 || gone+=("pebble")
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || gone+=("prometheus")
  command -v cloud-init >/dev/null 2>&1 || gone+=("cloud-init")
  /usr/bin/python3 -c 'import jinja2' >/dev/null 2>&1 || gone+=("python3-jinja2")
  /usr/bin/python3 -c 'import mako' >/dev/null 2>&1 || gone+=("python3-mako")
  if [ -n "${DATABASE_URL:-}" ]; then
    pg_isready -q -d "$DATABASE_URL" >/dev/null 2>&1 || gone+=("PostgreSQL at DATABASE_URL")
  fi
  printf '%s\n' "${gone[@]}"
}

gone=$(missing)
[ -z "$gone" ] && exit 0
if [ "$(id -u)" = 0 ] && [ "${LYCEUM_TEST_NO_SETUP:-}" != 1 ]; then
  echo "npm test: setting up what the tests need ($(echo "$gone" | paste -sd, | sed 's/,/, /g')) with bash .ci/services.sh"
  bash .ci/services.sh || true
  gone=$(missing)
  [ -z "$gone" ] && exit 0
fi
echo "npm test needs: $(echo "$gone" | paste -sd, | sed 's/,/, /g'). Install and start them with: sudo bash .ci/services.sh" >&2
exit 1
