#!/usr/bin/env bash
# The harness against the real backends: a private PostgreSQL, Redis and Podman (deploy/dev),
# the test recorder image, and the release build. Writes one JSON line per run to OUT:
#   - `silvasonic-controller simulate --backends real` at 10 and 50 devices (the tree of the
#     controller on the real backends; Podman's create and start timed apart from the
#     controller's share), and 100 plugged and unplugged at once beside Podman's own time for
#     the same work at the same parallelism (8 connections, then 1);
#   - the station itself: `silvasonic-controller run` with two microphones in a fixture
#     hardware tree, its RSS and idle CPU read from /proc while both recorders run.
#   Benchmarks/real-backends.sh OUT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dev="$repo/deploy/dev"
. "$dev/lib.sh"
out="${1:?usage: $0 OUT}"
: >"$out"

build_release_station "$repo"

stack=""
controller=""
trap station_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

station_stack_up "$recorder"
# No BirdNET image here; and no recorder limit (the contract's default is 5) for 60 recorders.
printf 'system_config:\n  system:\n    max_recorders: null\nmanaged_services:\n  birdnet: false\n' >"$SILVASONIC_OVERRIDES_FILE"

sim() {  # devices scenario [options]
    note "real backends: $1 devices, $2"
    "$bin" simulate --backends real --devices "$1" --scenario "$2" "${@:3}" --json >>"$out"
}
sim 10 events --events 10
sim 50 events --events 10
sim 10 steady --steady-seconds 10
sim 10 crash-storm
sim 10 flapping
# A mass plug and unplug, against the engine's own time at the same parallelism, in the same run;
# and once with one Podman connection, the client as it was before its pool.
sim 100 plug-unplug
( export SILVASONIC_PODMAN_CONNECTIONS=1; sim 100 plug-unplug )

# The station as it runs: two microphones, the whole `run` process measured from outside.
export SILVASONIC_CONTROLLER_PORT=0 SILVASONIC_DEVELOPMENT_MODE=false
"$dev/fixture.sh" plug "$hardware" 2 1-3.2 0869 0389 ABC034F "UltraMic 384K"
"$dev/fixture.sh" plug "$hardware" 3 1-4 0d8c 0014 - "USB Audio Device"
"$bin" run >"$stack/controller.log" 2>&1 &
controller=$!
note "the station with 2 microphones: waiting until both recorders run"
wait_for "[ \$($SILVASONIC_DEV_PODMAN ps --filter label=io.silvasonic.service=recorder --format '{{.Names}}' | wc -l) -ge 2 ]" 120 \
    || die "the two recorders did not start: $(tail -20 "$stack/controller.log")"
settle=20 window=60
note "settling for ${settle} s, then idle CPU over ${window} s"
sleep "$settle"
python3 - "$controller" "$window" >>"$out" <<'PY'
import json, os, sys, time
pid, window = sys.argv[1], float(sys.argv[2])
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick
def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1])
before, started = cpu(), time.monotonic()
time.sleep(window)
used, elapsed = cpu() - before, time.monotonic() - started
rss = rss_kb()
print(json.dumps({"scenario": "station", "devices": 2, "backends": "silvasonic-controller run: PostgreSQL, Redis, Podman",
                  "idle_core_percent": used / elapsed * 100, "cpu_s_per_device_hour": used / elapsed * 3600 / 2,
                  "rss_mb": rss / 1024, "rss_per_device_kb": rss / 2, "window_s": elapsed, "notes": []}, sort_keys=True))
PY
note "wrote $out"
