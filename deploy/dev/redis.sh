#!/usr/bin/env bash
# Starts or stops a private redis-server in DIR/redis, on a free port, with persistence off.
# Prints SILVASONIC_REDIS_URL (127.0.0.1, for the controller and tests on this machine) and
# SILVASONIC_TIER2_REDIS_URL (host.containers.internal, which Podman points at the host from
# inside each network, for the Tier 2 containers (recorder heartbeats)). By default it listens on
# every address for that, without a password: a scratch server for a development or CI machine,
# never a station's. REDIS_BIND (addresses) and REDIS_PASSWORD (then protected mode, and the URLs
# carry it) narrow it, as the demo does (its network's gateway and 127.0.0.1).
#   deploy/dev/redis.sh start DIR
#   deploy/dev/redis.sh restart DIR   (open connections are cut; same port)
#   deploy/dev/redis.sh stop-server|start-server DIR   (an outage: the port stays)
#   deploy/dev/redis.sh stop DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

command="${1:-}"; dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || die "usage: $0 start|restart|stop-server|start-server|stop DIR"
root="$dir/redis"

case "$command" in
start)
    [ -f "$root/redis.env" ] && { cat "$root/redis.env"; exit 0; }
    command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
    mkdir -p "$root"
    port="${REDIS_PORT:-$(free_port)}"
    password="${REDIS_PASSWORD:-}"
    # The password in a file of the server's own (never in its command line, which `ps` shows).
    ( umask 077; : >"$root/redis.conf" )
    # shellcheck disable=SC2086  # REDIS_BIND is a list of addresses
    set -- "$root/redis.conf" --bind ${REDIS_BIND:-0.0.0.0}
    auth=""; cli_auth=""
    if [ -n "$password" ]; then
        printf 'requirepass %s\n' "$password" >"$root/redis.conf"
        set -- "$@" --protected-mode yes
        auth=":$password@"; cli_auth="--no-auth-warning -a $password"
    else
        set -- "$@" --protected-mode no
    fi
    redis-server "$@" --port "$port" --save "" --appendonly no --daemonize yes \
        --dir "$root" --pidfile "$root/redis.pid" --logfile "$root/redis.log" >/dev/null
    wait_for "[ -s '$root/redis.pid' ]" 20 || die "redis-server did not start: $(tail -5 "$root/redis.log")"
    record_process "$(cat "$root/redis.pid")" "$root/process"
    wait_for "redis-cli -h 127.0.0.1 -p $port $cli_auth ping | grep -q PONG" 20 || die "redis-server does not answer"
    printf 'SILVASONIC_REDIS_URL=redis://%s127.0.0.1:%s/0\nSILVASONIC_TIER2_REDIS_URL=redis://%shost.containers.internal:%s/0\n' \
        "$auth" "$port" "$auth" "$port" >"$root/redis.env"
    note "Redis on 127.0.0.1:$port"
    cat "$root/redis.env"
    ;;
restart|stop-server|start-server)
    if [ "$command" != start-server ]; then
        [ -f "$root/redis.env" ] || die "no Redis was started in $dir"
        sed -n 's/^SILVASONIC_REDIS_URL=.*:\([0-9]*\)\/0$/\1/p' "$root/redis.env" >"$root/port"
        "$0" stop "$dir"
        rm -f "$root/redis.pid"
    fi
    if [ "$command" != stop-server ]; then
        [ -f "$root/port" ] || die "no Redis was stopped in $dir"
        REDIS_PORT="$(cat "$root/port")" "$0" start "$dir" >/dev/null
    fi
    ;;
stop)
    stop_recorded_process "$root/process" 10
    rm -f "$root/redis.env"
    ;;
*) die "usage: $0 start|restart|stop-server|start-server|stop DIR" ;;
esac
