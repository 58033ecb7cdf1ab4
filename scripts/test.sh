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
  # Regenerated when the script changes (it gains image modes over time).
  if [ ! -f "$fixtures/hashes.json" ] || [ Tests/Fixtures/make_imagehash_fixtures.py -nt "$fixtures/hashes.json" ]; then
    "$ORGANIC_PYTHON" Tests/Fixtures/make_imagehash_fixtures.py "$fixtures"
  fi
  export ORGANIC_IMAGEHASH_FIXTURES="$PWD/$fixtures"
fi

# Bittensor SDK 10.5 (Axon/Dendrite/Synapse, the "Axon synapse" miner protocol) in its own venv:
# bittensor 11.3 in .venv cannot share one with it. Same refresh rule; its tests skip without it.
requirements_sdk10=scripts/python-test-requirements-sdk10.txt
stamp_sdk10=.venv-sdk10/.requirements.sha256
wanted_sdk10=$(sha256sum "$requirements_sdk10" | cut -d' ' -f1)
if [ ! -x .venv-sdk10/bin/python ] || [ "$(cat "$stamp_sdk10" 2>/dev/null)" != "$wanted_sdk10" ]; then
  echo "test: installing the Bittensor SDK 10 test peer into .venv-sdk10 (a few minutes the first time)"
  rm -f "$stamp_sdk10"
  if python3 -m venv .venv-sdk10 && .venv-sdk10/bin/pip install -q --disable-pip-version-check -r "$requirements_sdk10"; then
    echo "$wanted_sdk10" > "$stamp_sdk10"
  else
    echo "test: WARNING: could not install bittensor 10.5 into .venv-sdk10; the Axon-synapse cross-checks will be skipped" >&2
  fi
fi
if [ -f "$stamp_sdk10" ]; then export ORGANIC_PYTHON_SDK10="$PWD/.venv-sdk10/bin/python"; fi

# fiber 1.0.0 and 2.1.0 (miner-protocol test peers) from the source archives in ../shared/peers:
# one venv each (both are the package `fiber`, and pin versions that bittensor 11 does not
# share), refreshed when the archive changes. Without the archive the fiber tests skip.
install_fiber_venv() { # version venv variable
  local archive="../shared/peers/fiber-$1.tar.gz" venv=$2 variable=$3
  if [ ! -f "$archive" ]; then
    echo "test: WARNING: $archive not found; the fiber $1 tests will be skipped" >&2
    return 0
  fi
  local stamp="$venv/.archive.sha256" wanted source
  wanted=$(sha256sum "$archive" | cut -d' ' -f1)
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "test: installing fiber $1 into $venv (15-20 s the first time)"
    rm -rf "$venv"
    source=$(mktemp -d)
    if tar -xzf "$archive" -C "$source" && python3 -m venv "$venv" &&
       "$venv/bin/pip" install -q --disable-pip-version-check "$(find "$source" -mindepth 1 -maxdepth 1 -type d | head -n1)[full]"; then
      echo "$wanted" > "$stamp"
    else
      echo "test: WARNING: could not install fiber $1; its tests will be skipped" >&2
    fi
    rm -rf "$source"
  fi
  if [ -f "$stamp" ]; then export "$variable=$PWD/$venv/bin/python"; fi
}
install_fiber_venv 1.0.0 .venv-fiber1 ORGANIC_PYTHON_FIBER1
install_fiber_venv 2.1.0 .venv-fiber2 ORGANIC_PYTHON_FIBER2

# A throwaway PostgreSQL for the store conformance and multi-instance tests (they skip without
# ORGANIC_TEST_POSTGRES_URL), stopped and removed at exit.
pg_dir=$(mktemp -d /tmp/organic-pg.XXXXXX)
# The tests' databases, wallets and configurations go in one directory removed at exit (TMPDIR is
# where Foundation's temporaryDirectory points), so runs leave nothing in /tmp.
test_tmp=$(mktemp -d /tmp/organic-test-run.XXXXXX)
trap 'scripts/test-postgres.sh stop "$pg_dir"; rm -rf "$test_tmp"' EXIT
if ORGANIC_TEST_POSTGRES_URL=$(scripts/test-postgres.sh start "$pg_dir"); then
  export ORGANIC_TEST_POSTGRES_URL
  echo "test: PostgreSQL running at $ORGANIC_TEST_POSTGRES_URL"
else
  echo "test: WARNING: could not start PostgreSQL; the PostgreSQL store tests will be skipped" >&2
fi

swift build --build-tests
# Nothing becomes public by accident: each library module's public symbols must match
# Docs/PublicAPI/<Module>.txt (reads the modules just built; about 12 s, no compilation).
scripts/check-public-api.sh
# One test at a time: many suites start real nodes, miners and Python peers, and run in parallel
# they starve each other on a 2-core machine until honest miners time out (seen: timers 7 s late).
# Serial, the whole suite takes about 6 minutes and every timeout means what it says.
TMPDIR=$test_tmp swift test --skip-build --no-parallel

# A short libFuzzer run of each target (about 2 minutes with the builds), fixed seed, when the
# toolchain supports it; longer runs: scripts/fuzz.sh --seconds 600 (Docs/Fuzzing.md).
if scripts/fuzz.sh --check >/dev/null 2>&1; then
  scripts/fuzz.sh --seconds 10 --seed 1
else
  echo "test: this toolchain cannot build libFuzzer targets; fuzzing skipped" >&2
fi
