#!/usr/bin/env bash
# The PostgreSQL engine's tests and benchmarks start a throw-away server of their own
# (scripts/postgresql-throwaway.sh). This installs Debian's `postgresql` package when no
# server binaries are found; a no-op otherwise. Prints the server's bin directory.
set -euo pipefail

find_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if bindir="$(find_bindir)"; then
    echo "$bindir"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "ensure-postgresql: no PostgreSQL server found and neither root nor sudo is" \
         "available; install the Debian package 'postgresql' by hand." >&2
    exit 1
fi

echo "ensure-postgresql: installing Debian's postgresql (for the PostgreSQL engine tests)" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
# The package starts a system cluster of its own; the hub's tests never use it.
if bindir="$(find_bindir)"; then
    echo "$bindir"
    exit 0
fi
echo "ensure-postgresql: apt-get finished but no initdb/pg_ctl/postgres was found" >&2
exit 1
