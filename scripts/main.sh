#!/usr/bin/env bash
# The main job: set up, then JIT-compile and check every ResNet-50 and MobileNetV2 layer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/build/cli/convgen" "$@"
