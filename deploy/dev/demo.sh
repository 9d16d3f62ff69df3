#!/usr/bin/env bash
# The demo station: installs what is missing, builds the controller and the test recorder image,
# starts a private PostgreSQL, Redis and Podman, plugs two simulated microphones into a fixture
# hardware tree, and runs `silvasonic-controller run` against all of it until Ctrl-C; then
# stops everything it started. Its Redis has a password and listens only on 127.0.0.1 and the
# demo network's gateway (where the recorders reach it as host.containers.internal); its HTTP
# port is a free one, and its operator API has a token of its own (both in the banner).
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
note "building silvasonic-controller and silvasonic-sim-recorder (the first build takes several minutes)"
# A progress line; the compiler's output only if the build fails.
quiet_build --product silvasonic-controller
quiet_build --product silvasonic-sim-recorder
bin="$(swift build --show-bin-path)"

stack=""
controller=""
follower=""
demo_cleanup() {
    [ -n "$follower" ] && kill "$follower" 2>/dev/null
    station_cleanup
}
trap demo_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

station_stack_up "$bin/silvasonic-sim-recorder"
# The demo's Redis again, with a password, on 127.0.0.1 and the network's gateway only. The
# gateway's bridge exists only while a container is on the network: one holds it while Redis
# binds (the bound socket outlives the bridge, and serves it again when the recorders come).
gateway="$("$SILVASONIC_DEV_PODMAN" network inspect silvasonic-net --format '{{range .Subnets}}{{.Gateway}}{{end}}')"
keeper="$("$SILVASONIC_DEV_PODMAN" run -d --rm --network silvasonic-net "$SILVASONIC_TEST_IMAGE" sleep 60)"
REDIS_PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" REDIS_BIND="127.0.0.1 $gateway" \
    "$here/redis.sh" restart "$stack" >/dev/null
"$SILVASONIC_DEV_PODMAN" rm --force --time 0 "$keeper" >/dev/null
set -a
. "$stack/redis/redis.env"
set +a
# A free port (9100 is node_exporter's), and a token for the operator API's control verbs.
SILVASONIC_CONTROLLER_PORT="$(free_port)"
SILVASONIC_CONTROLLER_API_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export SILVASONIC_CONTROLLER_PORT SILVASONIC_CONTROLLER_API_TOKEN
api="http://127.0.0.1:$SILVASONIC_CONTROLLER_PORT"
cli="SILVASONIC_CONTROLLER_PORT=$SILVASONIC_CONTROLLER_PORT SILVASONIC_CONTROLLER_API_TOKEN=$SILVASONIC_CONTROLLER_API_TOKEN $bin/silvasonic-controller"
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
  heartbeats:   redis-cli --no-auth-warning -u $SILVASONIC_REDIS_URL subscribe silvasonic:status
  nudge:        redis-cli --no-auth-warning -u $SILVASONIC_REDIS_URL publish silvasonic:nudge reconcile
  controller:   tail -f $stack/controller.log
  tree:         $cli status --watch
  API:          $api  (curl -s $api/healthy; the operator API wants -H 'Authorization: Bearer $SILVASONIC_CONTROLLER_API_TOKEN')
  events:       redis-cli --no-auth-warning -u $SILVASONIC_REDIS_URL subscribe silvasonic:events
  operator:     $cli ctl logs silvasonic-recorder-ultramic-384-evo-034f --tail 20
                (ctl start|stop|restart|logs|status NAME, ctl stand-down|resume; down --force)
  plug:         $here/fixture.sh plug $hardware 4 1-5 2578 0001 SN0042 'Another Mic'
  unplug:       $here/fixture.sh unplug $hardware 2
  disable:      $psql_cmd -c "UPDATE devices SET enabled = false WHERE name = '0869-0389-ABC034F'"   (then nudge)

INFO

if $once; then
    wait_for "[ \$($SILVASONIC_DEV_PODMAN ps --filter label=io.silvasonic.owner=controller --format '{{.Names}}' | wc -l) -ge 2 ]" 90 \
        || die "the two recorders did not start: $(tail -20 "$stack/controller.log")"
    "$SILVASONIC_DEV_PODMAN" ps --format '{{.Names}}  {{.Status}}'
    eval "$psql_cmd -c 'SELECT name, status, enrollment_status, profile_slug, workspace_name FROM devices'"
    "$bin/silvasonic-controller" status || note "no /status on port $SILVASONIC_CONTROLLER_PORT (see $stack/controller.log)"
    kill -TERM "$controller"
    wait "$controller" || die "the controller did not stop cleanly: $(tail -20 "$stack/controller.log")"
    controller=""
    note "the controller stopped; its recorders were stopped with it (SILVASONIC_SHUTDOWN_POLICY=stop-tier2)"
    exit 0
fi
note "press Ctrl-C to stop the station"
# Ends with the controller; the EXIT trap stops it on Ctrl-C too.
tail -f --pid="$controller" "$stack/controller.log" &
follower=$!
wait "$controller"
