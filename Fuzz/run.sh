#!/usr/bin/env bash
# Builds the libFuzzer targets with the address sanitizer and runs each for SECONDS (default 60),
# starting from the seed corpus in Fuzz/Corpus and keeping what it finds in a scratch copy.
#   Fuzz/run.sh [SECONDS] [CardsFuzzer|UEventFuzzer|LogFrameFuzzer|RedisURLFuzzer|NudgeFuzzer|SettingsFuzzer|ProfileFuzzer ...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(CardsFuzzer UEventFuzzer LogFrameFuzzer RedisURLFuzzer NudgeFuzzer SettingsFuzzer ProfileFuzzer)
# gold crashes on these links; lld (in the Swift toolchain) works: toolset.json selects it.
flags=(-Xswiftc -sanitize=fuzzer,address --toolset toolset.json --scratch-path .build-fuzz)
for target in "${targets[@]}"; do
    swift build -c debug "${flags[@]}" --product "$target" >/dev/null
    corpus="$(mktemp -d "${TMPDIR:-/tmp}/silvasonic-fuzz-$target.XXXXXX")"
    seed="Corpus/$(echo "$target" | sed 's/Fuzzer$//' | tr '[:upper:]' '[:lower:]')"
    cp "$seed"/* "$corpus"/
    echo "== $target for ${seconds}s (corpus: $corpus)"
    log="$corpus.log"
    status=0
    "$(swift build -c debug "${flags[@]}" --show-bin-path)/$target" "$corpus" -artifact_prefix="$corpus/" \
        -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 >"$log" 2>&1 </dev/null || status=$?
    grep -E "^(stat::|Done)|Precondition|ERROR" "$log" | head -12
    if [ "$status" -ne 0 ]; then
        echo "$target found a failing input (log: $log; input: $(ls "$corpus"/crash-* 2>/dev/null | head -1))" >&2
        exit 1
    fi
done
