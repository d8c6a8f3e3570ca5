# Sourced by ./akka-rlhf and the bench scripts before a process that uses TorchSharp starts.
# On AMD processors, preloads scripts/native/mkl_intel_cpu.c (built here with cc, once) so that
# libtorch's Intel MKL uses its AVX2/AVX-512 kernels there too; a no-op on Intel and other processors,
# without a C compiler (with a note), or with AKKA_RLHF_MKL_VENDOR_CHECK=keep.
torch_env_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${AKKA_RLHF_MKL_VENDOR_CHECK:-}" != "keep" ] && grep -q AuthenticAMD /proc/cpuinfo 2>/dev/null; then
  mkl_src="$torch_env_root/scripts/native/mkl_intel_cpu.c"
  mkl_lib="$torch_env_root/.build/libmkl_intel_cpu.so"
  if [ ! -f "$mkl_lib" ] || [ "$mkl_src" -nt "$mkl_lib" ]; then
    if command -v cc >/dev/null; then
      mkdir -p "$torch_env_root/.build" && cc -shared -fPIC -O2 -o "$mkl_lib" "$mkl_src"
    else
      echo "note: no C compiler; Intel MKL keeps its slower generic path on this AMD processor (docs/gpu.md)" >&2
    fi
  fi
  [ -f "$mkl_lib" ] && export LD_PRELOAD="$mkl_lib${LD_PRELOAD:+:$LD_PRELOAD}"
fi
unset torch_env_root mkl_src mkl_lib
