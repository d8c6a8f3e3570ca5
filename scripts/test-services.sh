#!/usr/bin/env bash
# Installs what the integration tests need beyond the build (idempotent). The tests start their
# own servers on free loopback ports; this only makes sure the programs exist.
set -euo pipefail
exit 0
