#!/usr/bin/env bash
# The demo station: installs what is missing, builds the controller and the test recorder image,
# starts a private PostgreSQL, Redis and Podman, plugs two simulated microphones into a fixture
# hardware tree, and runs `silvasonic-controller run` against all of it until Ctrl-C; then
# stops everything it started.
#   deploy/dev/demo.sh            run until Ctrl-C (plug and unplug from another terminal)
#   deploy/dev/demo.sh --once     start, wait until both recorders run, show them, stop
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"

once=false
[ "${1:-}" = "--once" ] && once=true

"$here/install-deps.sh"
cd "$repo"
note "building silvasonic-controller and silvasonic-sim-recorder"
swift build --product silvasonic-controller >/dev/null
swift build --product silvasonic-sim-recorder >/dev/null
bin="$(swift build --show-bin-path)"

stack=""
controller=""
trap station_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

station_stack_up "$bin/silvasonic-sim-recorder"
# The seeds: the shipped profiles and defaults, with an override file of the demo's own.
cat >"$SILVASONIC_OVERRIDES_FILE" <<'YAML'
system_config:
  system:
    station_name: Demo station
managed_services:
  birdnet: false   # no BirdNET image on a demo machine
YAML

"$bin/silvasonic-controller" run >"$stack/controller.log" 2>&1 &
controller=$!
# The controller applies the schema and seeds the profiles; then the microphones are plugged.
wait_for "PGPASSWORD=$POSTGRES_PASSWORD psql -h $SILVASONIC_DB_HOST -p $SILVASONIC_DB_PORT -U $POSTGRES_USER -d $POSTGRES_DB -qAtX -c \"SELECT 1 FROM microphone_profiles WHERE slug = 'generic_usb'\" 2>/dev/null | grep -q 1" 60 \
    || die "the controller did not seed the profiles: $(tail -5 "$stack/controller.log")"
"$here/fixture.sh" plug "$hardware" 2 1-3.2 0869 0389 ABC034F "UltraMic 384K"
"$here/fixture.sh" plug "$hardware" 3 1-4 0d8c 0014 - "USB Audio Device"

psql_cmd="PGPASSWORD=$POSTGRES_PASSWORD psql -h $SILVASONIC_DB_HOST -p $SILVASONIC_DB_PORT -U $POSTGRES_USER -d $POSTGRES_DB"
cat <<INFO

== The demo station runs. Where to look (in another terminal):
  containers:   $SILVASONIC_DEV_PODMAN ps -a --format '{{.Names}}  {{.Status}}'
  recordings:   ls $SILVASONIC_WORKSPACE_PATH/recorder/*
  devices:      $psql_cmd -c 'SELECT name, status, enrollment_status, profile_slug, workspace_name FROM devices'
  heartbeats:   redis-cli -u $SILVASONIC_REDIS_URL subscribe silvasonic:status
  nudge:        redis-cli -u $SILVASONIC_REDIS_URL publish silvasonic:nudge reconcile
  controller:   tail -f $stack/controller.log
  tree:         $bin/silvasonic-controller status --watch     (health: curl -s http://127.0.0.1:${SILVASONIC_CONTROLLER_PORT:-9100}/healthy)
  events:       redis-cli -u $SILVASONIC_REDIS_URL subscribe silvasonic:events
  operator:     $bin/silvasonic-controller ctl logs silvasonic-recorder-ultramic-384-evo-034f --tail 20   (ctl status|logs;
                start|stop|restart need SILVASONIC_CONTROLLER_API_TOKEN set for the controller and the CLI)
  plug:         $here/fixture.sh plug $hardware 4 1-5 2578 0001 SN0042 'Another Mic'
  unplug:       $here/fixture.sh unplug $hardware 2
  disable:      $psql_cmd -c "UPDATE devices SET enabled = false WHERE name = '0869-0389-ABC034F'"   (then nudge)

INFO

if $once; then
    wait_for "[ \$($SILVASONIC_DEV_PODMAN ps --filter label=io.silvasonic.owner=controller --format '{{.Names}}' | wc -l) -ge 2 ]" 90 \
        || die "the two recorders did not start: $(tail -20 "$stack/controller.log")"
    "$SILVASONIC_DEV_PODMAN" ps --format '{{.Names}}  {{.Status}}'
    eval "$psql_cmd -c 'SELECT name, status, enrollment_status, profile_slug, workspace_name FROM devices'"
    "$bin/silvasonic-controller" status || note "no /status: is port ${SILVASONIC_CONTROLLER_PORT:-9100} taken? (see $stack/controller.log)"
    kill -TERM "$controller"
    wait "$controller" || die "the controller did not stop cleanly: $(tail -20 "$stack/controller.log")"
    controller=""
    note "the controller stopped; its recorders were stopped with it (SILVASONIC_SHUTDOWN_POLICY=stop-tier2)"
    exit 0
fi
note "press Ctrl-C to stop the station"
tail -f "$stack/controller.log" &
wait "$controller"
