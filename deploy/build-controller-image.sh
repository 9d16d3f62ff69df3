#!/usr/bin/env bash
# Builds the controller image without a registry: the silvasonic-controller binary with the
# libraries it links (found with ldd), the seed profiles and the defaults file, imported with
# `podman import` as localhost/silvasonic_controller:<tag>. For stations with a registry,
# deploy/Containerfile builds the same image with `podman build`.
#   deploy/build-controller-image.sh DIR [TAG [BINARY]]
# DIR is a scratch directory with a Podman service (deploy/dev/podman.sh start DIR); TAG
# defaults to localhost/silvasonic_controller:latest; BINARY to the release build
# (swift build -c release --product silvasonic-controller).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
. "$here/dev/lib.sh"

dir="${1:-}"; tag="${2:-localhost/silvasonic_controller:latest}"
binary="${3:-$repo/.build/release/silvasonic-controller}"
[ -n "$dir" ] || die "usage: $0 DIR [TAG [BINARY]]"
[ -x "$binary" ] || die "no controller binary at $binary (swift build -c release --product silvasonic-controller)"

rootfs="$(mktemp -d "$dir/controller-rootfs.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/usr/local/bin" "$rootfs/app/profiles" "$rootfs/app/deploy/config" "$rootfs/tmp" "$rootfs/etc" \
    "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/run"
cp "$binary" "$rootfs/usr/local/bin/silvasonic-controller"
# Every shared library the binary needs, at the path the loader looks for it, the loader included.
for lib in $(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    cp --parents -L "$lib" "$rootfs"
done
cp "$repo"/profiles/*.yml "$rootfs/app/profiles/"
cp "$repo/deploy/config/defaults.yml" "$rootfs/app/deploy/config/"
echo "root:x:0:0:root:/:/bin/sh" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$dir/controller-rootfs.tar" .
"$here/dev/build-image.sh" "$dir" "$tag" "$dir/controller-rootfs.tar" '["/usr/local/bin/silvasonic-controller","run"]' /app
rm -f "$dir/controller-rootfs.tar"
