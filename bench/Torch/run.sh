#!/usr/bin/env bash
# bench/Torch: TorchSharp (LibTorch 2.10) vs PyTorch (Debian's python3-torch 1.13.1), side by side.
#   bench/Torch/run.sh [THREADS] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for pkg in python3-torch libopenblas0-openmp; do   # the Python baseline; OpenBLAS with OpenMP for its matmuls
  dpkg-query -W "$pkg" >/dev/null 2>&1 || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }
done
dotnet build "$here" -c Release --nologo -v quiet -clp:ErrorsOnly
source "$here/../../scripts/torch-env.sh"
dotnet "$here/bin/Release/net10.0/AkkaRlhf.Bench.Torch.dll" "$@"
