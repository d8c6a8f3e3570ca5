#!/usr/bin/env bash
# bench/Torch: TorchSharp (LibTorch 2.10) vs PyTorch (Debian's python3-torch 1.13.1), side by side.
#   bench/Torch/run.sh [THREADS] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dpkg-query -W python3-torch >/dev/null 2>&1 || { sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo; $sudo apt-get install -y -qq python3-torch >/dev/null; }
dotnet build "$here" -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet "$here/bin/Release/net10.0/AkkaRlhf.Bench.Torch.dll" "$@"
