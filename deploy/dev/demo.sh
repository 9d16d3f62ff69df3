#!/usr/bin/env bash
# The demo station: installs what is missing, builds the controller, starts a private
# PostgreSQL, Redis and Podman, and runs the controller against them until Ctrl-C, then stops
# everything it started.
#   deploy/dev/demo.sh            run until Ctrl-C
#   deploy/dev/demo.sh --once     start, show, stop (for scripts)
#
# Today the controller binary offers --help and --version; the station's `run` arrives with the
# DeviceActor tree, and this script will start it in place of the help.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"

once=false
[ "${1:-}" = "--once" ] && once=true

"$here/install-deps.sh"
cd "$repo"
note "building silvasonic-controller"
swift build --product silvasonic-controller >/dev/null
binary="$(swift build --show-bin-path)/silvasonic-controller"

stack=""
cleanup() {
    trap - EXIT INT TERM
    [ -n "$stack" ] && { note "stopping the service stack"; "$here/services.sh" down "$stack" >/dev/null 2>&1; }
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

env_lines="$("$here/services.sh" up --owner $$)"
stack="$(printf '%s\n' "$env_lines" | sed -n 's/^SILVASONIC_DEV_DIR=//p')"
set -a
eval "$env_lines"
set +a

echo "== The station's services (export these to point the controller or psql/redis-cli at them):"
printf '%s\n' "$env_lines"
echo
echo "== silvasonic-controller $("$binary" --version)"
"$binary" --help
if ! $once; then
    echo
    note "services running; press Ctrl-C to stop them"
    while true; do sleep 3600 & wait $!; done
fi
