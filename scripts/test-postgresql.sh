#!/usr/bin/env bash
# `make test-postgresql`: the whole suite with every hub on PostgreSQL. Starts a throw-away
# server (fsync off: tests only), points the suite at it with DX_TEST_DATABASE (each test gets
# its own database, copied from an initialised template), and stops it however pytest ends.
# Extra arguments go to pytest. The exit code is pytest's.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(mktemp -d /tmp/dx-test-postgresql.XXXXXX)"
cleanup() {
    bash scripts/postgresql-throwaway.sh stop "$dir" || true
    rm -rf "$dir"
}
trap cleanup EXIT
url="$(bash scripts/postgresql-throwaway.sh start "$dir" "" fast)"
echo "test-postgresql: throw-away server at $url"
DX_TEST_DATABASE="$url" .venv/bin/python -m pytest "$@"
