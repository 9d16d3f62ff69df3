#!/usr/bin/env bash
# A simulated machine's sound hardware: /proc/asound/cards and the sysfs links the controller's
# hardware layer reads, in ROOT/proc and ROOT/sys (point SILVASONIC_PROCFS_ROOT and
# SILVASONIC_SYSFS_ROOT at them). The layout is the one HardwareFixtures builds for the tests.
#   deploy/dev/fixture.sh init ROOT
#   deploy/dev/fixture.sh plug ROOT CARD BUS VID PID SERIAL NAME   (SERIAL "-" for none)
#   deploy/dev/fixture.sh unplug ROOT CARD
#   deploy/dev/fixture.sh list ROOT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

command="${1:-}"; root="${2:-}"
[ -n "$command" ] && [ -n "$root" ] || die "usage: $0 init|plug|unplug|list ROOT [...]"

write_cards() {
    local file card
    : >"$root/proc/asound/cards.new"
    for file in $(ls "$root/cards.d" 2>/dev/null | sort -n); do
        card="$file"
        IFS='|' read -r id name <"$root/cards.d/$file"
        printf '%2d [%-15s]: USB-Audio - %s\n                      %s at usb-fixture, high speed\n' \
            "$card" "$id" "$name" "$name" >>"$root/proc/asound/cards.new"
    done
    mv "$root/proc/asound/cards.new" "$root/proc/asound/cards"
}

case "$command" in
init)
    mkdir -p "$root/proc/asound" "$root/sys/class/sound" "$root/sys/bus/usb" "$root/cards.d" "$root/bus.d"
    write_cards
    ;;
plug)
    [ $# -eq 8 ] || die "usage: $0 plug ROOT CARD BUS VID PID SERIAL NAME"
    card="$3"; bus="$4"; vid="$5"; pid="$6"; serial="$7"; name="$8"
    [ -e "$root/cards.d/$card" ] && die "card $card is plugged already"
    device="$root/sys/devices/platform/xhci-hcd.0/usb1/$bus"
    mkdir -p "$device/$bus:1.0/sound/card$card"
    printf 'DEVTYPE=usb_device\n' >"$device/uevent"
    ln -sfn ../../../../../bus/usb "$device/subsystem"
    echo "$vid" >"$device/idVendor"
    echo "$pid" >"$device/idProduct"
    [ "$serial" = "-" ] || echo "$serial" >"$device/serial"
    printf 'DEVTYPE=usb_interface\n' >"$device/$bus:1.0/uevent"
    ln -sfn ../../../../../../bus/usb "$device/$bus:1.0/subsystem"
    printf 'MAJOR=116\n' >"$device/$bus:1.0/sound/card$card/uevent"
    ln -sfn "../../devices/platform/xhci-hcd.0/usb1/$bus/$bus:1.0/sound/card$card" "$root/sys/class/sound/card$card"
    id="$(printf '%s' "$name" | tr -cd 'A-Za-z0-9' | cut -c1-15)"
    echo "$id|$name" >"$root/cards.d/$card"
    echo "$bus" >"$root/bus.d/$card"
    write_cards
    note "plugged card $card: $name ($vid:$pid, serial $serial, bus $bus)"
    ;;
unplug)
    [ $# -eq 3 ] || die "usage: $0 unplug ROOT CARD"
    card="$3"
    [ -e "$root/cards.d/$card" ] || die "no card $card is plugged"
    bus="$(cat "$root/bus.d/$card")"
    rm -f "$root/sys/class/sound/card$card" "$root/cards.d/$card" "$root/bus.d/$card"
    rm -rf "$root/sys/devices/platform/xhci-hcd.0/usb1/$bus"
    write_cards
    note "unplugged card $card"
    ;;
list)
    cat "$root/proc/asound/cards"
    ;;
*) die "usage: $0 init|plug|unplug|list ROOT [...]" ;;
esac
