#!/usr/bin/env bash
# Installs what the integration tests need beyond the build (idempotent). The tests start their
# own servers on free loopback ports; this only makes sure the programs exist.
set -euo pipefail

# PostgreSQL (journal specs run against a real server; they report SKIPPED when it is missing).
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-services: PostgreSQL is missing; run as root (or: sudo apt-get install postgresql) to enable the PostgreSQL specs" >&2
  else
    echo "test-services: installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq > /dev/null
    apt-get install -y -qq --no-install-recommends postgresql > /dev/null
  fi
fi
exit 0
