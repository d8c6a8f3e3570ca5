#!/usr/bin/env bash
# bench/Torch: C# binding vs PyTorch (python3-torch 1.13.1) vs raw libtorch C++, side by side.
#   bench/Torch/run.sh [THREADS] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dpkg-query -W python3-torch >/dev/null 2>&1 || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq python3-torch >/dev/null; }
command -v cmake >/dev/null || "$here/../../scripts/setup.sh" Release   # the Torch project builds the native shim itself
mkdir -p "$here/build"
if [ ! -x "$here/build/native_add" ] || [ "$here/native_add.cpp" -nt "$here/build/native_add" ]; then
  g++ -O2 -std=c++17 -D_GLIBCXX_USE_CXX11_ABI=1 -I/usr/include/torch/csrc/api/include "$here/native_add.cpp" \
    -o "$here/build/native_add" -ltorch -ltorch_cpu -lc10
fi
dotnet build "$here" -c Release --nologo -v quiet -clp:ErrorsOnly
AKKA_BENCH_NATIVE_ADD="$here/build/native_add" dotnet "$here/bin/Release/net10.0/AkkaRlhf.Bench.Torch.dll" "$@"
