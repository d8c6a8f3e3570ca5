#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: restore and build (needs the .NET 10 SDK).
# Usage: scripts/setup.sh [--configuration Release|Debug]   (quiet when everything is already in place)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration="${1:-Release}"
[ "$configuration" = "--configuration" ] && configuration="${2:-Release}"

# Restore and build the solution when any source is newer than the CLI. TorchSharp-cpu brings libtorch
# (NuGet); the build makes its native loader load on Debian 12 (build/, docs/gpu.md).
stamp="$root/.build-stamp-$configuration"
if [ ! -f "$stamp" ] || [ ! -f "$root/Hosting/bin/$configuration/net10.0/akka-rlhf.dll" ] || [ -n "$(find "$root" -path "$root/.git" -prune -o \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' -o -name '*.conf' -o -name '*.sln' \) -newer "$stamp" -print -quit)" ]; then
  echo "setup: building AkkaRlhf ($configuration)" >&2
  dotnet build "$root/AkkaRlhf.sln" -c "$configuration" --nologo -v quiet -clp:ErrorsOnly >&2
  touch "$stamp"
fi
