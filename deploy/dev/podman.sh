#!/usr/bin/env bash
# Starts or stops a private Podman REST API service in DIR/podman: its own storage (--root,
# --runroot), its own containers.conf (runc, lowered ulimits, networks and events inside DIR)
# named by CONTAINERS_CONF, listening on DIR/podman/podman.sock. Writes DIR/podman/podman, a
# wrapper that runs the podman CLI against the same storage. Prints SILVASONIC_CONTAINER_SOCKET.
#   deploy/dev/podman.sh start DIR
#   deploy/dev/podman.sh restart DIR  (the API service only; containers keep running)
#   deploy/dev/podman.sh stop-service|start-service DIR   (the two halves of restart)
#   deploy/dev/podman.sh stop DIR     (removes every container and image in that storage only)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

command="${1:-}"; dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || die "usage: $0 start|restart|stop-service|start-service|stop DIR"
root="$dir/podman"

start_service() {
    setsid "$root/podman" system service --time=0 "unix://$root/podman.sock" \
        </dev/null >>"$root/service.log" 2>&1 &
    record_process "$!" "$root/process"
    wait_for "curl -sf --unix-socket '$root/podman.sock' http://d/_ping" 30 \
        || die "the Podman service did not answer: $(tail -5 "$root/service.log")"
}

case "$command" in
start)
    [ -f "$root/podman.env" ] && { cat "$root/podman.env"; exit 0; }
    command -v podman >/dev/null || die "podman not found (apt-get install podman runc)"
    mkdir -p "$root/storage" "$root/run" "$root/networks" "$root/tmp"
    cat >"$root/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=10000:10000"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$root/events.log"
tmp_dir = "$root/tmp"

[network]
network_config_dir = "$root/networks"
CONF
    cat >"$root/podman" <<WRAP
#!/bin/sh
# The podman CLI on this dev service's private storage.
CONTAINERS_CONF="$root/containers.conf" exec podman --root "$root/storage" --runroot "$root/run" "\$@"
WRAP
    chmod +x "$root/podman"
    start_service
    cat >"$root/podman.env" <<ENV
SILVASONIC_CONTAINER_SOCKET=$root/podman.sock
SILVASONIC_DEV_PODMAN=$root/podman
ENV
    note "Podman API on unix://$root/podman.sock (CLI: $root/podman)"
    cat "$root/podman.env"
    ;;
restart|stop-service|start-service)
    [ -f "$root/podman.env" ] || die "no Podman service was started in $dir"
    if [ "$command" != start-service ]; then
        stop_recorded_process "$root/process" 10
        rm -f "$root/podman.sock"
    fi
    [ "$command" = stop-service ] || start_service
    ;;
stop)
    [ -x "$root/podman" ] || exit 0
    "$root/podman" rm --all --force --time 0 >/dev/null 2>&1 || true
    stop_recorded_process "$root/process" 10
    "$root/podman" rm --all --force --time 0 >/dev/null 2>&1 || true
    for network in $("$root/podman" network ls --format '{{.Name}}' 2>/dev/null); do
        [ "$network" = podman ] || "$root/podman" network rm --force "$network" >/dev/null 2>&1 || true
    done
    "$root/podman" rmi --all --force >/dev/null 2>&1 || true
    # Unmount whatever the storage still has mounted below this directory, deepest first.
    { grep -F " $root/" /proc/mounts 2>/dev/null || true; } | awk '{print $2}' | sort -r | while read -r mount; do
        umount -l "$mount" 2>/dev/null || true
    done
    rm -f "$root/podman.env"
    ;;
*) die "usage: $0 start|restart|stop-service|start-service|stop DIR" ;;
esac
