#!/usr/bin/env bash
# Runs the demo as an operator would (deploy/dev/demo.sh, until Ctrl-C) and checks what it
# promises: the recorders heartbeat through a Redis that wants a password and listens only on
# 127.0.0.1 and the demo network's gateway; the controller's HTTP port is not a fixed one; and
# Ctrl-C leaves no process of the demo behind. Exit 0 when all hold; run by `test.sh`.
#   deploy/dev/demo-check.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

log="$(mktemp "${TMPDIR:-/tmp}/silvasonic-demo-check.XXXXXX")"
demo=""
finish() {
    local status=$?
    trap - EXIT
    [ -n "$demo" ] && kill -INT -- "-$demo" 2>/dev/null && wait "$demo" 2>/dev/null
    [ "$status" -eq 0 ] || { echo "demo-check: the demo's output:" >&2; tail -30 "$log" >&2; }
    rm -f "$log"
    exit "$status"
}
trap finish EXIT
fail() { echo "demo-check: $*" >&2; exit 1; }

# Job control: the demo runs in a process group of its own, as in a terminal, and gets the
# SIGINT a Ctrl-C sends that whole group (a background job without it would ignore SIGINT).
set -m
"$here/demo.sh" >"$log" 2>&1 &
demo=$!
set +m
wait_for "grep -q 'press Ctrl-C' '$log' || ! kill -0 $demo" 600 && grep -q 'press Ctrl-C' "$log" \
    || fail "the demo did not come up"
stack="$(sed -n 's/^  controller: *tail -f \(.*\)\/controller.log$/\1/p' "$log")"
[ -d "$stack" ] || fail "no stack directory in the banner"
tree="$(sed -n 's/^  tree: *\(.*\) status --watch$/\1/p' "$log")"
[ -n "$tree" ] || fail "no status command in the banner"
grep -q 'SILVASONIC_CONTROLLER_PORT=9100 ' "$log" && fail "the demo took port 9100"

# Both recorders beat through the password-protected Redis (their heartbeat shows in status).
# shellcheck disable=SC2086  # the banner's command line, environment and all
wait_for "[ \$(env $tree status 2>/dev/null | grep -c 'heartbeat [0-9.]* s ago') -ge 2 ]" 120 \
    || fail "the recorders' heartbeats did not reach the controller: $(env $tree status 2>&1 | head -20)"
url="$(sed -n 's/^SILVASONIC_REDIS_URL=//p' "$stack/redis/redis.env")"
port="${url##*:}"; port="${port%%/*}"
[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>&1)" = "NOAUTH Authentication required." ] \
    || fail "Redis answers without its password"
listening="$(ss -Hltn "sport = :$port" | awk '{print $4}' | sort | tr '\n' ' ')"
case "$listening" in
*0.0.0.0:*|*'*:'*|*'[::]:'*) fail "Redis listens on every address: $listening" ;;
esac
echo "demo-check: Redis wants its password and listens on $listening"

# Ctrl-C: the demo stops its controller and its stack; nothing of it is left running (its
# Redis names no path in its process title: it is looked for by its pid).
redis="$(cat "$stack/redis/redis.pid")"
kill -INT -- "-$demo"
wait "$demo" || true
demo=""
wait_for "! pgrep -f -- '$stack' >/dev/null && ! kill -0 $redis 2>/dev/null" 10 \
    || fail "left behind after Ctrl-C: $(pgrep -af -- "$stack"; ps -o pid=,args= -p "$redis")"
[ ! -d "$stack" ] || fail "the stack directory $stack is left"
echo "demo-check: Ctrl-C left no process behind"
