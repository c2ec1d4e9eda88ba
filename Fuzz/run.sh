#!/usr/bin/env bash
# Builds the libFuzzer targets (one per reader: CSV, XML, set YAML, register YAML, Excel
# workbooks, SPSS files, Triple-S metadata with its data after a marker line) with the
# address sanitizer and runs each for SECONDS (default 300), two at a time on this 2-core machine.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]      e.g. Fuzz/run.sh 1800 FuzzCSV
#
# Seeds: Fuzz/Corpus/<kind>/ (committed; Fuzz/make-corpus.py). What the fuzzer learns goes to
# .fuzz/<target>/ (not committed). A crash, hang (-timeout) or excessive allocation
# (-malloc_limit_mb) is written to Fuzz/Crashes/<kind>/: fix it, keep the file, and the tests
# replay it from then on (FuzzRegressionTests).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzCSV FuzzXML FuzzSetYAML FuzzRegisterYAML FuzzXLSX FuzzSAV FuzzTripleS)

kind() {
    case $1 in
        FuzzCSV) echo csv ;; FuzzXML) echo xml ;; FuzzSetYAML) echo set ;; FuzzRegisterYAML) echo register ;;
        FuzzXLSX) echo xlsx ;; FuzzSAV) echo sav ;; FuzzTripleS) echo sss ;;
    esac
}

for target in "${targets[@]}"; do
    KVALITET_FUZZ=1 swift build -c release --product "$target" --build-path .build-fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -v "Cannot export" | tail -1
done
bin=$(KVALITET_FUZZ=1 swift build -c release --build-path .build-fuzz --show-bin-path)

run() {
    local target=$1 k
    k=$(kind "$target")
    mkdir -p ".fuzz/$target" "Fuzz/Crashes/$k"
    "$bin/$target" ".fuzz/$target" "Fuzz/Corpus/$k" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="Fuzz/Crashes/$k/" > ".fuzz/$target.log" 2>&1 || echo "$target: finding, see .fuzz/$target.log"
    echo "$target: $(grep -E 'stat::number_of_executed_units|cov:' ".fuzz/$target.log" | tail -2 | tr '\n' ' ')"
}

# Two at a time.
pids=()
for target in "${targets[@]}"; do
    run "$target" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
ls Fuzz/Crashes/*/ 2>/dev/null | grep -v '^$' || true
