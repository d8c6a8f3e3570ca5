#!/usr/bin/env bash
# Installs the servers the integration tests need (idempotent, quiet when present): PostgreSQL for
# the second journal provider and RabbitMQ for the cluster transport. The tests start their own
# instances on free loopback ports in temporary folders; nothing is started here.
set -euo pipefail
missing=()
for pkg in postgresql rabbitmq-server; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-services: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # Debian's packages start their own service where systemd/init runs; the tests use private instances.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
exit 0
