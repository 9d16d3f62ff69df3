#!/usr/bin/env bash
# Builds the test recorder image: the silvasonic-sim-recorder binary with the libraries it links
# (found with ldd) and busybox, imported with `podman import` (no registry needed).
#   deploy/dev/build-recorder-image.sh DIR [TAG [BINARY]]
# DIR is a scratch directory with a Podman service (podman.sh start); TAG defaults to
# localhost/silvasonic_recorder:latest; BINARY to .build/debug/silvasonic-sim-recorder (run
# `swift build --product silvasonic-sim-recorder` first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"

dir="${1:-}"; tag="${2:-localhost/silvasonic_recorder:latest}"
binary="${3:-$repo/.build/debug/silvasonic-sim-recorder}"
[ -n "$dir" ] || die "usage: $0 DIR [TAG [BINARY]]"
[ -x "$binary" ] || die "no recorder binary at $binary (swift build --product silvasonic-sim-recorder)"
busybox="$(command -v busybox || true)"
[ -n "$busybox" ] || die "busybox not found (apt-get install busybox-static)"

rootfs="$(mktemp -d "$dir/recorder-rootfs.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/usr/local/bin" "$rootfs/bin" "$rootfs/app/workspace" "$rootfs/tmp" "$rootfs/etc" \
    "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
cp "$binary" "$rootfs/usr/local/bin/silvasonic-sim-recorder"
# Every shared library the binary needs, at the path the loader looks for it, the loader included.
for lib in $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    cp --parents -L "$lib" "$rootfs"
done
cp "$busybox" "$rootfs/bin/busybox"
for applet in sh ls cat sleep touch rm mkdir; do ln -sf busybox "$rootfs/bin/$applet"; done
echo "root:x:0:0:root:/:/bin/sh" >"$rootfs/etc/passwd"
printf 'root:x:0:\naudio:x:29:\n' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$dir/recorder-rootfs.tar" .
"$here/build-image.sh" "$dir" "$tag" "$dir/recorder-rootfs.tar" '["/usr/local/bin/silvasonic-sim-recorder"]'
rm -f "$dir/recorder-rootfs.tar"
