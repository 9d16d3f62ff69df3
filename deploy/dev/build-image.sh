#!/usr/bin/env bash
# Builds a container image from a local root filesystem tarball with `podman import` (no
# registry is reachable here, so every image is made locally).
#   deploy/dev/build-image.sh DIR TAG [ROOTFS.tar [CMD-JSON [WORKDIR]]]
# DIR is a scratch directory whose Podman service `podman.sh start` made. Without a tarball it
# makes a minimal one from busybox-static: /bin/busybox and a link per applet.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

dir="${1:-}"; tag="${2:-}"; tarball="${3:-}"
default_cmd='["/bin/sh","-c","echo ready; trap \"exit 0\" TERM; while true; do sleep 1 & wait $!; done"]'
cmd="${4:-$default_cmd}"
workdir="${5:-/}"
[ -n "$dir" ] && [ -n "$tag" ] || die "usage: $0 DIR TAG [ROOTFS.tar [CMD-JSON]]"
podman_cli="$dir/podman/podman"
[ -x "$podman_cli" ] || die "no Podman service in $dir (run deploy/dev/podman.sh start $dir first)"

if [ -z "$tarball" ]; then
    # busybox-static's binary needs no libraries, so it runs alone in the image.
    busybox="$(command -v busybox || true)"
    [ -n "$busybox" ] || die "busybox not found (apt-get install busybox-static)"
    rootfs="$(mktemp -d "$dir/rootfs.XXXXXX")"
    mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
    cp "$busybox" "$rootfs/bin/busybox"
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    echo "root:x:0:0:root:/:/bin/sh" >"$rootfs/etc/passwd"
    echo "root:x:0:" >"$rootfs/etc/group"
    echo "audio:x:29:" >>"$rootfs/etc/group"
    tarball="$dir/rootfs-minimal.tar"
    tar -C "$rootfs" -cf "$tarball" .
    rm -rf "$rootfs"
fi
[ -f "$tarball" ] || die "no such tarball: $tarball"

"$podman_cli" import --quiet --change "CMD $cmd" --change "WORKDIR $workdir" "$tarball" "$tag" >/dev/null
note "built $tag from $(basename "$tarball")"
