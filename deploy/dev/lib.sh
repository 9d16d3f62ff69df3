# Shared helpers for the deploy/dev scripts. Source it; it defines functions and variables only.
# shellcheck shell=bash

# Where `services.sh up` makes its scratch directories when not given one. Only directories
# below it that carry an owner.pid file are ever swept.
SILVASONIC_DEV_BASE="${SILVASONIC_DEV_BASE:-${TMPDIR:-/tmp}/silvasonic-dev}"

die() { echo "error: $*" >&2; exit 1; }
note() { echo "[dev] $*" >&2; }

# A TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Runs a command as the postgres user when we are root (the server refuses to run as root).
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The PostgreSQL 15 server binaries.
pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
    done
    die "PostgreSQL 15 server binaries (initdb, pg_ctl) not found"
}

# Waits up to $2 seconds (default 30) for command $1 to succeed.
wait_for() {
    local check="$1" limit="${2:-30}" waited=0
    until eval "$check" >/dev/null 2>&1; do
        sleep 0.2
        waited=$((waited + 1))
        if [ "$waited" -ge $((limit * 5)) ]; then return 1; fi
    done
    return 0
}

# The kernel's start time of a process (field 22 of /proc/PID/stat): with the pid, it names a
# process uniquely, so a reused pid is not mistaken for the original.
process_start_time() {
    [ -r "/proc/$1/stat" ] || return 1
    sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{print $20}'
}

# True when the process recorded in file $1 (pid and start time) is still running.
recorded_process_alive() {
    local file="$1" pid start
    [ -f "$file" ] || return 1
    read -r pid start <"$file" || return 1
    [ -n "$pid" ] || return 1
    [ "$(process_start_time "$pid" 2>/dev/null)" = "$start" ]
}

# Records process $1 in file $2.
record_process() {
    echo "$1 $(process_start_time "$1")" >"$2"
}

# Stops the process recorded in file $1: SIGTERM, then SIGKILL after $2 seconds (default 10).
stop_recorded_process() {
    local file="$1" limit="${2:-10}" pid
    recorded_process_alive "$file" || return 0
    read -r pid _ <"$file"
    kill -TERM "$pid" 2>/dev/null || true
    wait_for "! recorded_process_alive '$file'" "$limit" || kill -KILL "$pid" 2>/dev/null || true
}
