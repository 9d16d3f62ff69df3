#!/usr/bin/env bash
# The command line's man page and shell completion scripts, generated from the same
# ArgumentParser definitions as `--help` (never written by hand):
#   deploy/cli/generate.sh           writes them here (deploy/cli/)
#   deploy/cli/generate.sh --check   fails when the ones here differ from what the code makes
# The man page comes from swift-argument-parser's GenerateManual plugin, the completions from
# `silvasonic-controller --generate-completion-script`. The test command runs `--check`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$repo/deploy/dev/lib.sh"
# The man page's date: the day the command line last changed. Change it with the command line.
date="2026-12-07"

check=false
[ "${1:-}" = "--check" ] && check=true
cd "$repo"
out="$here"
if $check; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/silvasonic-cli.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
fi

quiet_build --product silvasonic-controller
bin="$(swift build --show-bin-path)/silvasonic-controller"
manuals="$repo/.build/plugins/GenerateManual/outputs/silvasonic-controller"
rm -rf "$manuals"
log="$(mktemp "${TMPDIR:-/tmp}/silvasonic-manual.XXXXXX")"
if ! swift package plugin generate-manual --configuration debug --date "$date" \
    --authors "Silvasonic<https://github.com/kyellsen/silvasonic>" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "the man page was not generated"
fi
rm -f "$log"
cp "$manuals/silvasonic-controller.1" "$out/silvasonic-controller.1"
"$bin" --generate-completion-script bash >"$out/silvasonic-controller.bash"
"$bin" --generate-completion-script zsh >"$out/_silvasonic-controller"
"$bin" --generate-completion-script fish >"$out/silvasonic-controller.fish"

if $check; then
    for file in silvasonic-controller.1 silvasonic-controller.bash _silvasonic-controller silvasonic-controller.fish; do
        if ! cmp -s "$out/$file" "$here/$file"; then
            diff -u "$here/$file" "$out/$file" | head -40 >&2 || true
            die "deploy/cli/$file is not what the command line makes now: run deploy/cli/generate.sh"
        fi
    done
    note "deploy/cli: the man page and completion scripts match the command line"
fi
