#!/usr/bin/env bash
# The crash timeline on a real Podman: `silvasonic-controller run` with one microphone in a
# fixture hardware tree and the test recorder, whose workspace file CRASH makes it exit 3 at once
# on every start (a microphone that fails at open). Benchmarks/crash-timeline.py drives the
# faults and reads Podman's own event stream (who started each container: a `start` after a
# `restart` is Podman's retry, any other the controller's) and the recorder's segment files:
#   1. five `podman kill`s, each as soon as the recorder runs again;
#   2. a fault of 2 s, then one of 60 s: the time from the fault clearing to recording again;
#   3. an always-crashing recorder for three minutes, then the fault cleared.
# Each part starts after a stable minute (the backoff's reset). Writes a JSON report to OUT.
#   Benchmarks/crash-timeline.sh OUT [--podman5]
# --podman5 runs it on Debian trixie's Podman 5.4 from ../shared/podman5 (its root filesystem
# built first with that directory's build-rootfs.sh); the stack then lies below /var/tmp.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dev="$repo/deploy/dev"
out="${1:?usage: $0 OUT [--podman5]}"
podman5=""
if [ "${2:-}" = "--podman5" ]; then
    podman5="$(cd "$repo/../shared/podman5" 2>/dev/null && pwd)" || { echo "error: no ../shared/podman5" >&2; exit 1; }
    export TMPDIR=/var/tmp SCRATCH=/var/tmp
fi
. "$dev/lib.sh"

build_release_station "$repo"

stack=""
controller=""
cleanup() {
    local status=$?
    station_cleanup
    [ -n "$podman5" ] && "$podman5/chroot.sh" down >/dev/null 2>&1 || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

station_stack_up "$recorder"
if [ -n "$podman5" ]; then
    set -a
    eval "$("$podman5/stack.sh" use "$repo" "$stack")"
    set +a
    "$dev/build-recorder-image.sh" "$stack" localhost/silvasonic_recorder:latest "$recorder" >/dev/null
    "$SILVASONIC_DEV_PODMAN" network create silvasonic-net >/dev/null
fi
printf 'managed_services:\n  birdnet: false\n' >"$SILVASONIC_OVERRIDES_FILE"
export SILVASONIC_CONTROLLER_PORT=0 SILVASONIC_DEVELOPMENT_MODE=false
"$bin" run >"$stack/controller.log" 2>&1 &
controller=$!
wait_for "PGPASSWORD=$POSTGRES_PASSWORD psql -h $SILVASONIC_DB_HOST -p $SILVASONIC_DB_PORT -U $POSTGRES_USER -d $POSTGRES_DB -qAtX -c \"SELECT 1 FROM microphone_profiles WHERE slug = 'ultramic_384_evo'\" 2>/dev/null | grep -q 1" 60 \
    || die "the controller did not seed the profiles: $(tail -5 "$stack/controller.log")"
"$dev/fixture.sh" plug "$hardware" 2 1-3.2 0869 0389 ABC034F "UltraMic 384K"
version="$(curl -sf --unix-socket "$SILVASONIC_CONTAINER_SOCKET" http://d/v4.0.0/libpod/version \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])')"
note "Podman $version: the crash timeline (about 11 minutes)"
python3 "$here/crash-timeline.py" --socket "$SILVASONIC_CONTAINER_SOCKET" --podman "$SILVASONIC_DEV_PODMAN" \
    --workspace "$SILVASONIC_WORKSPACE_PATH/recorder/ultramic-384-evo-034f" \
    --container silvasonic-recorder-ultramic-384-evo-034f --podman-version "$version" --out "$out"
