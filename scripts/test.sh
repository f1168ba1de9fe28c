#!/usr/bin/env bash
# The whole test suite: set up, then run every test with ctest; then the hardening tree
# (build-sanitize: clang with AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer)
# runs the unit tests, the leak canary and each libFuzzer target for a bounded time.
# CONVGEN_SKIP_SANITIZE=1 skips the hardening tree. Last the ThreadSanitizer tree (build-tsan:
# clang, -DCONVGEN_TSAN=ON) builds and runs only the tests labelled tsan; CONVGEN_SKIP_TSAN=1 skips it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/.venv/bin/ctest" --test-dir "$root/build" --output-on-failure -j "$(nproc)"

if [ "${CONVGEN_SKIP_SANITIZE:-0}" != 1 ]; then
  CMAKE_BUILD_TYPE=RelWithDebInfo "$root/scripts/setup.sh" "$root/build-sanitize" \
    -DCMAKE_CXX_COMPILER=clang++ -DCONVGEN_FUZZ=ON
  # The parity tests need no second run under the sanitizers.
  "$root/.venv/bin/ctest" --test-dir "$root/build-sanitize" --output-on-failure -j "$(nproc)" -L 'unit|sanitizer|fuzz'
fi

if [ "${CONVGEN_SKIP_TSAN:-0}" != 1 ]; then
  CMAKE_BUILD_TYPE=RelWithDebInfo CONVGEN_BUILD_TARGET=tsan_tests "$root/scripts/setup.sh" "$root/build-tsan" \
    -DCMAKE_CXX_COMPILER=clang++ -DCONVGEN_TSAN=ON
  "$root/.venv/bin/ctest" --test-dir "$root/build-tsan" --output-on-failure -j "$(nproc)" -L tsan
fi
