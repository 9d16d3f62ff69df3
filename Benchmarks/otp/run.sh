#!/usr/bin/env bash
# Side-by-side: the Supervision library against Erlang/OTP's supervisor, same machine, same run.
#   Benchmarks/otp/run.sh [N_START] [N_RESTART...]    (N_TREE=10000: the tree scenario's size)
# Installs erlang-base when missing, builds the Swift half in release mode, runs each scenario
# for both ROUNDS times (default 3, alternating), and prints the medians and their ratios
# (> 1 means Swift is ahead). This machine is noisy: single runs vary by about ±30 %.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

n_start="${1:-100000}"
shift || true
restarts=("${@:-2000 10000}")
read -r -a restarts <<<"${restarts[*]}"

if ! command -v escript >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq erlang-base >/dev/null
fi
swift build -c release --product supervision-vs-otp >/dev/null
swift_bin="$(swift build -c release --show-bin-path)/supervision-vs-otp"

rounds="${ROUNDS:-3}"
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_both() {   # scenario n -> "swift_seconds swift_bytes otp_seconds otp_bytes" (medians)
    local swift=() otp=() round
    for round in $(seq "$rounds"); do
        swift+=("$("$swift_bin" "$1" "$2")")
        otp+=("$(escript "$here/supervision_bench.erl" "$1" "$2")")
    done
    echo "$(printf '%s\n' "${swift[@]}" | awk '{print $3}' | median)" \
         "$(printf '%s\n' "${swift[@]}" | awk '{print $4}' | median)" \
         "$(printf '%s\n' "${otp[@]}" | awk '{print $3}' | median)" \
         "$(printf '%s\n' "${otp[@]}" | awk '{print $4}' | median)"
}

printf '%-34s %14s %14s %10s\n' "benchmark" "Swift" "OTP" "ratio"
read -r ss sb os ob <<<"$(run_both start "$n_start")"
awk -v n="$n_start" -v s="$ss" -v o="$os" 'BEGIN {
    printf "%-34s %11.2f µs %11.2f µs %9.2fx\n", "start + shut down " n " (per child)", s / n * 1e6, o / n * 1e6, o / s }'
for n in "${restarts[@]}"; do
    read -r ss sb os ob <<<"$(run_both restart "$n")"
    awk -v n="$n" -v s="$ss" -v o="$os" 'BEGIN {
        printf "%-34s %11.2f µs %11.2f µs %9.2fx\n", n " restarts (per restart)", s / n * 1e6, o / n * 1e6, o / s }'
done
read -r ss sb os ob <<<"$(run_both memory "$n_start")"
awk -v n="$n_start" -v s="$sb" -v o="$ob" 'BEGIN {
    printf "%-34s %11.0f B  %11.0f B  %9.2fx\n", "memory per idle child (" n ")", s / n, o / n, o / s }'
# The controller's shape: N_TREE (10,000) rest-for-one supervisors of three children each.
n_tree="${N_TREE:-10000}"
read -r ss sb os ob <<<"$(run_both tree "$n_tree")"
awk -v n="$n_tree" -v s="$ss" -v o="$os" 'BEGIN {
    printf "%-34s %11.2f µs %11.2f µs %9.2fx\n", n " supervisors x 3 (per supervisor)", s / n * 1e6, o / n * 1e6, o / s }'
awk -v n="$n_tree" -v s="$sb" -v o="$ob" 'BEGIN {
    printf "%-34s %11.0f B  %11.0f B  %9.2fx\n", "memory per supervisor x 3 (" n ")", s / n, o / n, o / s }'
