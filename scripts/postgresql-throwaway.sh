#!/usr/bin/env bash
# A throw-away PostgreSQL server in a folder of its own, for tests and benchmarks:
#   scripts/postgresql-throwaway.sh start DIR [PORT] [fast]   prints the server's URL
#   scripts/postgresql-throwaway.sh stop DIR
# The cluster listens on 127.0.0.1:PORT (a free port when omitted) and on a socket in DIR,
# trusts local connections (it is reachable only from this machine and lives minutes), and
# has a superuser `docexchange`. `fast` turns fsync off: for the test suite only, never for
# benchmarks (they measure the durable path). PostgreSQL refuses to run as root: as root the
# server runs as the `postgres` account the Debian package creates.
set -euo pipefail

action="${1:?usage: postgresql-throwaway.sh start|stop DIR [PORT] [fast]}"
dir="${2:?usage: postgresql-throwaway.sh start|stop DIR [PORT] [fast]}"
here="$(cd "$(dirname "$0")" && pwd)"
bindir="$(bash "$here/ensure-postgresql.sh")"

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$action" in
start)
    port="${3:-}"
    mode="${4:-}"
    if [ -z "$port" ]; then
        port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # the postgres account must be able to reach the folder
        d="$dir"
        while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d="$(dirname "$d")"; done
    fi
    as_owner "$bindir/initdb" -D "$dir/data" -U docexchange --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir"
    opts="$opts -c max_connections=300 -c shared_buffers=128MB"
    if [ "$mode" = "fast" ]; then
        opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgresql://docexchange@127.0.0.1:$port/postgres"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    ;;
*)
    echo "postgresql-throwaway: unknown action $action (start|stop)" >&2
    exit 2
    ;;
esac
