#!/usr/bin/env bash
# Starts the local services the tests use when they are down, and installs the Debian packages they need.
# Idempotent: on a machine where everything runs already it only checks.
set -uo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# promtool and prometheus: the tests check and unit-test prometheus/*.yml and run a real Prometheus.
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
# pebble and pebble-challtestsrv: tests/certificates.test.ts starts its own ACME CA and DNS on loopback.
command -v pebble >/dev/null 2>&1 || need_apt+=(pebble)
# haproxy: the load balancer's integration tests run a real one (master-worker mode, seamless reloads).
[ -x /usr/sbin/haproxy ] || need_apt+=(haproxy)
# certutil: the HTTPS e2e spec puts Pebble's root in the browser's own certificate store (an NSS database).
command -v certutil >/dev/null 2>&1 || need_apt+=(libnss3-tools)
# python3-jinja2 and python3-yaml for Debian's /usr/bin/python3: tests/security/tutor-template-injection.test.ts
# renders Tutor's config and settings with the same Jinja2 and PyYAML Tutor uses.
/usr/bin/python3 -c "import jinja2" >/dev/null 2>&1 || need_apt+=(python3-jinja2)
/usr/bin/python3 -c "import yaml" >/dev/null 2>&1 || need_apt+=(python3-yaml)
# python3-mako: the same test renders the static pages as the LMS theme's Mako templates.
/usr/bin/python3 -c "import mako" >/dev/null 2>&1 || need_apt+=(python3-mako)
# mariadb-dump and mariadb: backups dump and restore instance databases with the real client tools (the server
# package usually brings them; a CI image with a remote MariaDB needs them on their own).
{ command -v mariadb-dump && command -v mariadb; } >/dev/null 2>&1 || need_apt+=(mariadb-client)
# cloud-init (without its recommends, which would pull in network tooling): the OVH user-data golden test
# validates the rendered #cloud-config with `cloud-init schema`.
need_lean=()
command -v cloud-init >/dev/null 2>&1 || need_lean+=(cloud-init)
if ((${#need_apt[@]} + ${#need_lean[@]})); then
  echo "installing: ${need_apt[*]} ${need_lean[*]}"
  apt-get update -qq
  ((${#need_apt[@]})) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  ((${#need_lean[@]})) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_lean[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

# MariaDB: the MySQL driver's tests create and drop databases and users on it.
if ! mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
  echo "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1 && break; sleep 1; done
fi
mariadb-admin -h 127.0.0.1 -u root ping

# RabbitMQ with its management HTTP API (port 15672), which the RabbitMQ driver talks to.
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached
  rabbitmqctl -q await_startup >/dev/null 2>&1 || sleep 10
fi
rabbitmq-plugins -q enable rabbitmq_management >/dev/null
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null -u guest:guest http://127.0.0.1:15672/api/overview && break
  sleep 1
done
curl -fsS -o /dev/null -u guest:guest http://127.0.0.1:15672/api/overview && echo "RabbitMQ management API: ok"
