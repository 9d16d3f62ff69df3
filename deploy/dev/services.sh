#!/usr/bin/env bash
# The dev service stack: PostgreSQL 15, Redis and the Podman API, each private to one scratch
# directory, on free ports and a private Unix socket, plus a minimal test image.
#
#   deploy/dev/services.sh up [DIR] [--owner PID]   start everything; print the settings
#   deploy/dev/services.sh down DIR                 stop everything in DIR and delete DIR
#   deploy/dev/services.sh sweep                    stop stacks whose owner process is gone
#
# `up` without DIR makes one below $SILVASONIC_DEV_BASE (default /tmp/silvasonic-dev). The owner
# (default: the calling shell) is recorded; `sweep`, which every `up` runs first, takes down any
# stack below the base whose owner died without cleaning up (a killed test run, say). Nothing
# outside the stack's own directory is touched. The settings are written to DIR/env as KEY=value
# lines, the contract's SILVASONIC_* names: `set -a; . DIR/env; set +a` exports them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

test_image="localhost/silvasonic-minimal:latest"

down() {
    local dir="$1"
    [ -d "$dir" ] || return 0
    # Servers that single tests started for themselves (to restart them mid-test), then the stack's.
    # A scratch Podman lives in a short directory linked from here (Podman refuses a runroot
    # path over 50 characters).
    for scratch in "$dir"/scratch/*; do
        [ -d "$scratch" ] || continue
        target="$(readlink -f "$scratch")"
        "$here/podman.sh" stop "$target" || true
        "$here/redis.sh" stop "$target" || true
        "$here/postgres.sh" stop "$target" || true
        [ "$target" = "$(readlink -f "$dir")/scratch/$(basename "$scratch")" ] || rm -rf "$target"
    done
    "$here/podman.sh" stop "$dir" || true
    "$here/redis.sh" stop "$dir" || true
    "$here/postgres.sh" stop "$dir" || true
    rm -rf "$dir"
}

sweep() {
    local dir
    [ -d "$SILVASONIC_DEV_BASE" ] || return 0
    for dir in "$SILVASONIC_DEV_BASE"/*/; do
        dir="${dir%/}"
        [ -f "$dir/owner.pid" ] || continue
        recorded_process_alive "$dir/owner.pid" && continue
        note "sweeping $dir (its owner is gone)"
        down "$dir"
    done
}

command="${1:-}"; shift || true
case "$command" in
up)
    dir=""; owner="$PPID"
    while [ $# -gt 0 ]; do
        case "$1" in
        --owner) owner="$2"; shift 2 ;;
        *) dir="$1"; shift ;;
        esac
    done
    sweep
    if [ -z "$dir" ]; then
        mkdir -p "$SILVASONIC_DEV_BASE"
        dir="$(mktemp -d "$SILVASONIC_DEV_BASE/stack.XXXXXX")"
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    record_process "$owner" "$dir/owner.pid"
    if ! { "$here/postgres.sh" start "$dir" && "$here/redis.sh" start "$dir" && "$here/podman.sh" start "$dir"; } \
        >"$dir/env.partial"; then
        down "$dir"
        die "the service stack did not start"
    fi
    "$here/build-image.sh" "$dir" "$test_image" || { down "$dir"; die "the test image was not built"; }
    {
        cat "$dir/env.partial"
        echo "CONTAINERS_CONF=$dir/podman/containers.conf"
        echo "SILVASONIC_TEST_IMAGE=$test_image"
        echo "SILVASONIC_DEV_DIR=$dir"
    } >"$dir/env"
    rm -f "$dir/env.partial"
    cat "$dir/env"
    ;;
down)
    [ -n "${1:-}" ] || die "usage: $0 down DIR"
    down "$1"
    ;;
sweep) sweep ;;
*) die "usage: $0 up [DIR] [--owner PID] | down DIR | sweep" ;;
esac
