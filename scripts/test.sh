#!/usr/bin/env bash
# Runs the whole test suite (the same command CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# Python test peers (imagehash, the official Bittensor packages) in .venv, refreshed only when
# scripts/python-test-requirements.txt changes. Tests that need them skip cleanly when absent.
requirements=scripts/python-test-requirements.txt
stamp=.venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "test: installing Python test peers into .venv (a few minutes the first time)"
  rm -f "$stamp"
  if python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check -r "$requirements"; then
    echo "$wanted" > "$stamp"
  else
    echo "test: WARNING: could not install the Python test peers; cross-checks against them will be skipped" >&2
  fi
fi
if [ -f "$stamp" ]; then
  export ORGANIC_PYTHON="$PWD/.venv/bin/python"
  # Vision: imagehash reference fixtures for the bit-exact hash tests.
  fixtures=.build/imagehash-fixtures
  if [ ! -f "$fixtures/hashes.json" ]; then
    "$ORGANIC_PYTHON" Tests/Fixtures/make_imagehash_fixtures.py "$fixtures"
  fi
  export ORGANIC_IMAGEHASH_FIXTURES="$PWD/$fixtures"
fi

swift build --build-tests
swift test --skip-build
