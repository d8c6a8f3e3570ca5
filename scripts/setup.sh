#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: system packages, the native libtorch shim, restore and build.
# Usage: scripts/setup.sh [--configuration Release|Debug]   (quiet when everything is already in place)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configuration="${1:-Release}"
[ "$configuration" = "--configuration" ] && configuration="${2:-Release}"

# 1. System packages (Debian): libtorch, OpenBLAS with OpenMP (without it matmul is ~20x slower), toolchain.
missing=()
for pkg in libtorch-dev libopenblas0-openmp cmake g++; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. The native shim (incremental; Torch_DIR selects another libtorch, e.g. a CUDA build).
native="$root/Torch/native"
if [ ! -f "$native/build/libakkatorch.so" ] || [ "$native/akkatorch.cpp" -nt "$native/build/libakkatorch.so" ] \
   || [ "$native/CMakeLists.txt" -nt "$native/build/libakkatorch.so" ]; then
  echo "setup: building the native libtorch shim" >&2
  cmake -S "$native" -B "$native/build" -DCMAKE_BUILD_TYPE=Release ${Torch_DIR:+-DTorch_DIR="$Torch_DIR"} >/dev/null
  cmake --build "$native/build" -- -j2 >/dev/null
fi

# 3. Restore and build the solution when any source is newer than the CLI.
stamp="$root/.build-stamp-$configuration"
if [ ! -f "$stamp" ] || [ ! -f "$root/Hosting/bin/$configuration/net10.0/akka-rlhf.dll" ] || [ -n "$(find "$root" -path "$root/.git" -prune -o \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.conf' -o -name '*.sln' \) -newer "$stamp" -print -quit)" ]; then
  echo "setup: building AkkaRlhf ($configuration)" >&2
  dotnet build "$root/AkkaRlhf.sln" -c "$configuration" --nologo -v quiet -clp:ErrorsOnly >&2
  touch "$stamp"
fi
