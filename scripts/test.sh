#!/usr/bin/env bash
# Runs the whole test suite (the same command CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# Python test peers: a venv with scripts/python-test-requirements.txt. Tests that need it
# skip cleanly when it is absent; CI has it.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if .venv/bin/pip install -q -r scripts/python-test-requirements.txt; then
  export ORGANIC_PYTHON="$PWD/.venv/bin/python"
  # Vision: imagehash reference fixtures for the bit-exact hash tests.
  fixtures=.build/imagehash-fixtures
  if [ ! -f "$fixtures/hashes.json" ]; then
    "$ORGANIC_PYTHON" Tests/Fixtures/make_imagehash_fixtures.py "$fixtures"
  fi
  export ORGANIC_IMAGEHASH_FIXTURES="$PWD/$fixtures"
else
  echo "test: Python test packages unavailable; tests that need them will be skipped" >&2
fi

swift build --build-tests
swift test --skip-build
