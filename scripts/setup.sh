#!/usr/bin/env bash
# Idempotent set-up: Debian packages, the project venv (Halide, CMake, Ninja, Ray), configure, build.
# Usage: scripts/setup.sh [build-dir] [extra cmake args...]
# CONVGEN_BUILD_TARGET=<target> builds only that target (default: everything).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$root/build}"
shift || true

debian_packages=(
  python3-venv  # `python3 -m venv` below; Debian's python3 alone lacks ensurepip
  g++ libgtest-dev libgmock-dev libbenchmark-dev libdnnl-dev
  ocl-icd-opencl-dev  # Debian's dnnl-config.cmake calls find_package(OpenCL); libdnnl-dev only recommends it
  libcli11-dev nlohmann-json3-dev python3-torch python3-numpy python3-matplotlib
  pkgconf  # the installed-package test builds a program with `pkg-config --cflags --libs convgen`
  g++-aarch64-linux-gnu qemu-user
  clang libclang-rt-14-dev llvm  # the sanitizer and fuzz tree (scripts/test.sh)
  libomp-dev  # clang's OpenMP there: bench/ needs OpenMP (g++ brings libgomp, clang does not)
)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

venv="$root/.venv"
stamp="$venv/.requirements"
if ! cmp -s "$root/requirements.txt" "$stamp" 2>/dev/null; then
  echo "setup: creating $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/requirements.txt"
  cp "$root/requirements.txt" "$stamp"
fi

halide_dir="$("$venv/bin/python" -c 'import halide; print(halide.install_dir())')"
if [ ! -f "$build_dir/build.ninja" ]; then
  "$venv/bin/cmake" -S "$root" -B "$build_dir" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
    -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
    -DHalide_DIR="$halide_dir/lib64/cmake/Halide" \
    -DHalideHelpers_DIR="$halide_dir/lib64/cmake/HalideHelpers" "$@"
fi
"$venv/bin/cmake" --build "$build_dir" ${CONVGEN_BUILD_TARGET:+--target "$CONVGEN_BUILD_TARGET"}
