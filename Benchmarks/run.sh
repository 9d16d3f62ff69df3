#!/usr/bin/env bash
# Runs the benchmarks with the dev stack up (PostgreSQL, Redis, Podman), so the backend suite
# has its servers, and first measures the servers' own tools for the ratios in docs/backends.md.
#   Benchmarks/run.sh                          every suite, printed
#   Benchmarks/run.sh thresholds check         compare against Benchmarks/Thresholds
#   Benchmarks/run.sh --target BackendBenchmarks   any other `swift package benchmark` arguments
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
dir="$(mktemp -d /tmp/silvasonic-dev/bench.XXXXXX 2>/dev/null || { mkdir -p /tmp/silvasonic-dev; mktemp -d /tmp/silvasonic-dev/bench.XXXXXX; })"
trap '"$repo/deploy/dev/services.sh" down "$dir" >/dev/null 2>&1 || true' EXIT
"$repo/deploy/dev/services.sh" up "$dir" --owner $$ >/dev/null
set -a; . "$dir/env"; set +a

echo "== The servers' own tools, one client, one request at a time (µs per call) =="
port="${SILVASONIC_REDIS_URL##*:}"; port="${port%%/*}"
for test in set get; do
    rps="$(redis-benchmark -h 127.0.0.1 -p "$port" -c 1 -n 20000 -t "$test" -q | tr '\r' '\n' | awk '/requests per second/ {print $2}' | tail -1)"
    awk -v t="$test" -v r="$rps" 'BEGIN { printf "redis-benchmark %-4s %8.1f µs\n", t, 1e6 / r }'
done
bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
echo "SELECT 1;" >"$dir/select1.sql"
latency="$(PGPASSWORD="$POSTGRES_PASSWORD" "$bindir/pgbench" -h "$SILVASONIC_DB_HOST" -p "$SILVASONIC_DB_PORT" \
    -U "$POSTGRES_USER" -n -c 1 -T 5 -f "$dir/select1.sql" "$POSTGRES_DB" 2>/dev/null | awk '/latency average/ {print $4}')"
awk -v l="$latency" 'BEGIN { printf "pgbench SELECT 1     %8.1f µs\n", l * 1000 }'
urls="$(for _ in $(seq 1000); do printf 'http://d/_ping '; done)"
start="$(date +%s%N)"
curl -s --unix-socket "$SILVASONIC_CONTAINER_SOCKET" $urls >/dev/null
end="$(date +%s%N)"
awk -v n=$((end - start)) 'BEGIN { printf "curl _ping (1,000)   %8.1f µs\n", n / 1000 / 1000 }'

echo "== The Swift clients (package-benchmark) =="
cd "$here"
swift package benchmark "$@"
