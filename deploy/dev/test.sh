#!/usr/bin/env bash
# The test command: installs what is missing, starts a private PostgreSQL, Redis and Podman,
# runs the whole test suite against them, stops them, and exits non-zero on any failure.
#   deploy/dev/test.sh [extra `swift test` arguments, e.g. --filter Postgres]
# The last line is the result, as `tests: N passed, N failed, N skipped`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"

"$here/install-deps.sh"

stack=""
results="$(mktemp -d "${TMPDIR:-/tmp}/silvasonic-test-results.XXXXXX")"
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [ -n "$stack" ] && "$here/services.sh" down "$stack" >/dev/null 2>&1
    rm -rf "$results"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

env_lines="$("$here/services.sh" up --owner $$)"
stack="$(printf '%s\n' "$env_lines" | sed -n 's/^SILVASONIC_DEV_DIR=//p')"
set -a
eval "$env_lines"
set +a

cd "$repo"
status=0
# A warning in the project's own targets fails the build (Package.swift); dependencies excepted.
export SILVASONIC_WARNINGS_AS_ERRORS=1
# The test recorder image, for the end-to-end tests of the controller process.
swift build --product silvasonic-sim-recorder >/dev/null \
    && "$here/build-recorder-image.sh" "$stack" localhost/silvasonic_recorder:test >/dev/null 2>&1 \
    && export SILVASONIC_SIM_RECORDER_IMAGE=localhost/silvasonic_recorder:test \
    || echo "the test recorder image was not built; the tests that need it will say so" >&2
swift test --xunit-output "$results/xunit.xml" "$@" || status=$?
# With the whole suite: the Supervision library's documentation builds, every link in it whole,
# and its example consumer builds, runs and links none of the controller's C libraries; the
# demo keeps its promises (a password-protected Redis on its own addresses, no fixed port,
# nothing left after Ctrl-C).
if [ "$#" -eq 0 ]; then
    swift package generate-documentation --target Supervision --warnings-as-errors >/dev/null 2>"$results/docc.log" \
        || { echo "the Supervision documentation does not build:" >&2; cat "$results/docc.log" >&2; status=1; }
    "$repo/Examples/EmbeddedSupervisor/check-links.sh" || status=1
    "$repo/deploy/cli/generate.sh" --check || status=1
    "$here/demo-check.sh" || status=1
fi

# Sum XCTest's and Swift Testing's reports into one closing line.
summary="$(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
tests = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/xunit*.xml"):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
print(f"{tests - failed - skipped} {failed} {skipped}")
PY
)" || summary=""
read -r passed failed skipped <<<"${summary:-0 0 0}"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a build failure has no report
[ "$status" -eq 0 ] && [ "$passed" -eq 0 ] && { echo "no test ran" >&2; status=1; }
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
