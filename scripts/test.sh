#!/usr/bin/env bash
# The whole test suite: set up, then run every test with ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/.venv/bin/ctest" --test-dir "$root/build" --output-on-failure -j "$(nproc)"
