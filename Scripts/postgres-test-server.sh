#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the store tests (and benchmarks):
#   eval "$(Scripts/postgres-test-server.sh start)"   # prints export lines
#   Scripts/postgres-test-server.sh stop "$KVALITET_PG_DIR"
# initdb into a temporary folder (as the postgres user when run as root: initdb refuses root),
# password authentication (scram-sha-256) for a user kv_owner with a random password, listening
# on 127.0.0.1 at a free port only. Prints KVALITET_TEST_POSTGRES (a URL with that password) and
# KVALITET_PG_DIR.
set -euo pipefail

bin=""
for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ]; then bin="$candidate"; fi
done
if [ -z "$bin" ]; then
    echo "postgres-test-server: no PostgreSQL server binaries (initdb) found; install postgresql" >&2
    exit 1
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    dir=$(mktemp -d /tmp/kvalitet-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    printf '%s\n' "$password" > "$dir/pw"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir/pw"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U kv_owner --pwfile="$dir/pw" --auth=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$port" -U kv_owner -d postgres -qc "CREATE DATABASE kvalitet_test" >/dev/null
    rm -f "$dir/pw"
    echo "export KVALITET_TEST_POSTGRES='postgres://kv_owner:$password@127.0.0.1:$port/kvalitet_test?sslmode=disable'"
    echo "export KVALITET_PG_DIR='$dir'"
    ;;
stop)
    dir="${2:?give the folder start printed}"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR" >&2
    exit 1
    ;;
esac
