#!/usr/bin/env bash
# Installs what is needed, builds, and runs the local demo node with three reference miners.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product organic
exec .build/release/organic demo "$@"
