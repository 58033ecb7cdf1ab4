#!/usr/bin/env bash
# Installs every system package the project builds, links or tests against (Debian/Ubuntu).
# Safe to run repeatedly. Swift itself must already be installed.
set -euo pipefail

packages=(
  libsqlite3-dev        # SQLite for GRDB (the node's embedded database)
  libcurl4-openssl-dev  # Foundation networking on Linux
  libssl-dev
  libpng-dev            # vision plugin: PNG codec
  libdeflate-dev        # vision plugin: whole-buffer DEFLATE for PNG image data and CRCs
  libturbojpeg0-dev     # vision plugin: JPEG codec
  libsodium-dev         # sr25519 (ristretto255), ed25519, hashes, $NACL keyfiles
  pkg-config            # locates the C libraries above for SwiftPM
  python3 python3-venv  # test peers (official Bittensor packages, imagehash)
  postgresql            # shared-database backend: scripts/test.sh starts a throwaway server
  nginx wrk curl        # Benchmarks/proxy-compare.sh: the reference proxy hop, the load generator, a first request
  chromium chromium-driver fonts-dejavu-core   # console browser tests (headless, driven by Selenium)
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or newer first" >&2; exit 1; }
echo "setup: system packages ready"
