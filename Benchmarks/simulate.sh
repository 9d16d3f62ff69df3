#!/usr/bin/env bash
# Runs the simulation harness over its scenarios and device counts with the release build, then
# the same against the real backends (Benchmarks/real-backends.sh), and writes
# docs/performance.md with its plots (docs/performance-*.png) from the figures.
#   Benchmarks/simulate.sh              # everything (about ten minutes)
#   Benchmarks/simulate.sh --quick      # 1 to 1,000 simulated devices, no real backends
#   Benchmarks/simulate.sh --no-real    # every simulated size, no real backends
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
quick=false real=true
for arg in "$@"; do
    case "$arg" in
    --quick) quick=true real=false ;;
    --no-real) real=false ;;
    *) echo "usage: $0 [--quick] [--no-real]" >&2; exit 2 ;;
    esac
done
python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install --quiet matplotlib

swift build -c release --product silvasonic-controller >/dev/null
bin="$repo/.build/release/silvasonic-controller"
# The runs' figures, one JSON line each, kept beside the report it is made from
# (`python3 Benchmarks/report.py Benchmarks/results/simulated.jsonl Benchmarks/results/real.jsonl docs ...`
# remakes the report from them alone).
mkdir -p "$here/results"
results="$here/results/simulated.jsonl" real_results="$here/results/real.jsonl"
: >"$results"
$real && : >"$real_results"

run() {  # devices scenario [extra options]
    echo "[sim] $1 devices, $2" >&2
    "$bin" simulate --devices "$1" --scenario "$2" "${@:3}" --json >>"$results"
}
sizes="1 10 100 1000 10000"
$quick && sizes="1 10 100 1000"
for n in $sizes; do run "$n" plug; done
for n in $sizes; do run "$n" steady --steady-seconds 5; done
for n in $sizes; do run "$n" events --events 200; done
run 1000 crash-storm
run 1000 flapping
run 1000 nudge-storm
run 1000 outage
run 100 plug --engine-latency-ms 5
run 100 crash-storm --failure-rate 0.05
$real && "$here/real-backends.sh" "$real_results"

python3 "$here/report.py" "$results" "$real_results" "$repo/docs" "$(uname -m)" "$(nproc)"
echo "[sim] wrote docs/performance.md and its plots" >&2
