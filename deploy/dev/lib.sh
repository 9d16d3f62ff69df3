# Shared helpers for the deploy/dev scripts. Source it; it defines functions and variables only.
# shellcheck shell=bash

# Where `services.sh up` makes its scratch directories when not given one. Only directories
# below it that carry an owner.pid file are ever swept.
SILVASONIC_DEV_BASE="${SILVASONIC_DEV_BASE:-${TMPDIR:-/tmp}/silvasonic-dev}"

die() { echo "error: $*" >&2; exit 1; }
note() { echo "[dev] $*" >&2; }

# `swift build ARGS` with one progress line while it runs (the elapsed time, redrawn on a
# terminal, a line every 30 s otherwise) and the compiler's output only when it fails.
quiet_build() {
    local log pid status=0 start=$SECONDS said=0
    log="$(mktemp "${TMPDIR:-/tmp}/silvasonic-build.XXXXXX")"
    swift build "$@" >"$log" 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [ -t 2 ]; then
            printf '\r[dev] building %s: %d s' "$*" $((SECONDS - start)) >&2
        elif [ $((SECONDS - start)) -ge $((said + 30)) ]; then
            said=$((SECONDS - start))
            note "still building $*: $said s"
        fi
        sleep 1
    done
    [ -t 2 ] && printf '\n' >&2
    wait "$pid" || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log" >&2
        rm -f "$log"
        die "the build failed: swift build $*"
    fi
    rm -f "$log"
}

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

# For the benchmark harnesses: installs what is missing, builds the release controller and the
# test recorder of the repository $1 (and cds there); sets $bin and $recorder to them.
build_release_station() {
    "$1/deploy/dev/install-deps.sh"
    cd "$1"
    quiet_build -c release --product silvasonic-controller
    quiet_build --product silvasonic-sim-recorder
    bin="$1/.build/release/silvasonic-controller"
    recorder="$(swift build --show-bin-path)/silvasonic-sim-recorder"
}

# Brings up a private service stack owned by this shell and makes it a station's: exports the
# stack's settings, builds the recorder image from the sim recorder binary $1, creates the
# network, and exports the station settings this machine needs (workspace, network, oom score,
# sound device, the shipped profiles and defaults, an overrides file in the stack). Sets $stack
# (take it down with `services.sh down "$stack"`) and $hardware (a fixture tree, initialised).
station_stack_up() {
    local recorder="$1" dev repo env_lines
    dev="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    repo="$(cd "$dev/../.." && pwd)"
    env_lines="$("$dev/services.sh" up --owner $$)"
    stack="$(printf '%s\n' "$env_lines" | sed -n 's/^SILVASONIC_DEV_DIR=//p')"
    set -a
    eval "$env_lines"
    set +a
    "$dev/build-recorder-image.sh" "$stack" localhost/silvasonic_recorder:latest "$recorder" >/dev/null
    "$SILVASONIC_DEV_PODMAN" network create silvasonic-net >/dev/null
    hardware="$stack/hardware"
    "$dev/fixture.sh" init "$hardware"
    export SILVASONIC_PROCFS_ROOT="$hardware/proc" SILVASONIC_SYSFS_ROOT="$hardware/sys"
    export SILVASONIC_WORKSPACE_PATH="$stack/workspace" SILVASONIC_NETWORK=silvasonic-net
    export SILVASONIC_RECORDER_OOM_SCORE_ADJ=0 SILVASONIC_RECORDER_SOUND_DEVICE=/dev/null   # this machine's limits
    export SILVASONIC_PROFILES_DIR="$repo/profiles" SILVASONIC_DEFAULTS_FILE="$repo/deploy/config/defaults.yml"
    export SILVASONIC_OVERRIDES_FILE="$stack/overrides.yml"
}

# The EXIT trap of a script that ran station_stack_up and maybe a controller ($controller, a
# PID): stops the controller with SIGTERM, then takes the stack down.
station_cleanup() {
    trap - EXIT INT TERM
    if [ -n "${controller:-}" ] && kill -0 "$controller" 2>/dev/null; then
        kill -TERM "$controller" 2>/dev/null || true
        wait "$controller" 2>/dev/null || true
    fi
    if [ -n "${stack:-}" ]; then
        note "stopping the service stack"
        "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/services.sh" down "$stack" >/dev/null 2>&1
    fi
}
