#!/usr/bin/env bash
# Builds the example as a consumer of the Supervision products and checks what it links: none
# of the controller's C libraries (libpq, hiredis, libcurl, libasound), so a program that embeds
# the library needs none of their -dev packages. Run by the test command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
swift build --product supervision-example >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
binary="$(swift build --show-bin-path)/supervision-example"
needed="$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
if printf '%s\n' "$needed" | grep -E 'libpq|hiredis|libcurl|libasound'; then
    echo "supervision-example links a C library of the controller (above): the Supervision products must not" >&2
    exit 1
fi
"$binary" --demo >/dev/null 2>&1 || { echo "supervision-example --demo failed" >&2; exit 1; }
echo "supervision-example builds and runs on the Supervision products alone; it links: $(printf '%s ' $needed)"
