#!/usr/bin/env bash
# Starts or stops a private PostgreSQL 15 in DIR/postgres, on a free port on 127.0.0.1, with a
# `silvasonic` user (password `silvasonic`) and database. Prints the settings as env lines.
#   deploy/dev/postgres.sh start DIR
#   deploy/dev/postgres.sh restart DIR   (fast: open connections are cut; same port)
#   deploy/dev/postgres.sh stop-server|start-server DIR   (an outage: the data and port stay)
#   deploy/dev/postgres.sh stop DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

command="${1:-}"; dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || die "usage: $0 start|restart|stop-server|start-server|stop DIR"
root="$dir/postgres"
bindir="$(pg_bindir)"

case "$command" in
start)
    [ -f "$root/postgres.env" ] && { cat "$root/postgres.env"; exit 0; }
    mkdir -p "$root/socket"
    chmod 755 "$dir"
    port="$(free_port)"
    echo silvasonic >"$root/pwfile"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$root"
    as_postgres "$bindir/initdb" -D "$root/data" -U silvasonic --pwfile="$root/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
        || { cat "$root/initdb.log" >&2; die "initdb failed"; }
    echo "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$root/socket -c fsync=off" >"$root/options"
    as_postgres "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 start -o "$(cat "$root/options")" \
        >/dev/null || { tail -20 "$root/server.log" >&2; die "PostgreSQL did not start"; }
    as_postgres psql -h "$root/socket" -p "$port" -U silvasonic -d postgres -qAt \
        -c "CREATE DATABASE silvasonic" >/dev/null
    cat >"$root/postgres.env" <<ENV
SILVASONIC_DB_HOST=127.0.0.1
SILVASONIC_DB_PORT=$port
POSTGRES_USER=silvasonic
POSTGRES_PASSWORD=silvasonic
POSTGRES_DB=silvasonic
ENV
    note "PostgreSQL on 127.0.0.1:$port (data in $root/data)"
    cat "$root/postgres.env"
    ;;
stop-server)
    [ -f "$root/postgres.env" ] || die "no PostgreSQL was started in $dir"
    as_postgres "$bindir/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null
    ;;
start-server)
    [ -f "$root/postgres.env" ] || die "no PostgreSQL was started in $dir"
    as_postgres "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 start -o "$(cat "$root/options")" \
        >/dev/null || { tail -20 "$root/server.log" >&2; die "PostgreSQL did not start"; }
    ;;
restart)
    [ -f "$root/postgres.env" ] || die "no PostgreSQL was started in $dir"
    as_postgres "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -m fast -w -t 60 restart >/dev/null \
        || { tail -20 "$root/server.log" >&2; die "PostgreSQL did not restart"; }
    ;;
stop)
    [ -d "$root/data" ] || exit 0
    if [ -f "$root/data/postmaster.pid" ]; then
        as_postgres "$bindir/pg_ctl" -D "$root/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -f "$root/postgres.env"
    ;;
*) die "usage: $0 start|restart|stop-server|start-server|stop DIR" ;;
esac
