#!/usr/bin/env bash
# Scaling and memory of `kvalitet score` on CSV files of growing size (issue #6: 10M responses in
# about 10x the time of 1M, peak memory under 200 MB whatever the size), a national round's shape
# (many groups), and the cost of a run with duplicates when respondent ids are kept on disk (it
# reads its files a second time).
# Usage: Benchmarks/scale.sh [RUNS (3)] [SIZES (1000000 3000000 10000000)]
# Environment: BENCH_DIR (data, default /tmp/kvalitet-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
sizes=("${@:-1000000 3000000 10000000}")
read -r -a sizes <<< "${sizes[*]}"
dir=${BENCH_DIR:-/tmp/kvalitet-bench}
mkdir -p "$dir"
[ -x /usr/bin/time ] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
swift build -c release --product kvalitet >/dev/null
kvalitet=$(swift build -c release --show-bin-path)/kvalitet

declare -A commands
order=()
for n in "${sizes[@]}"; do
    file="$dir/bench-$n.csv"
    [ -f "$file" ] || "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses "$n" \
        --units 400 --format csv --seed 42 --output "$file"
    commands[csv-$n]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scale-$n.csv $file"
    order+=("csv-$n")
done
first=${sizes[0]}
# The first size shaped like a national round: 356 municipalities x 30 units x 2 periods (21,360
# groups, 843,000 output rows, written as they are made).
national="$dir/national-$first.csv"
[ -f "$national" ] || "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses "$first" \
    --municipalities 356 --units 30 --periods 2024,2025 --format csv --seed 7 --output "$national"
commands[national-$first]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scale-national.csv $national"
order+=("national-$first")
# The same shape with few responses per unit (about 7 per unit and period, many below min_n): the
# suppression audit's heavy case (issue #13: thousands of rows hidden by the rules and the audit).
sparse="$dir/national-sparse-150000.csv"
[ -f "$sparse" ] || "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses 150000 \
    --municipalities 356 --units 30 --periods 2024,2025 --format csv --seed 7 --output "$sparse"
commands[national-sparse]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scale-sparse.csv $sparse"
order+=("national-sparse")
# The first size again with 1 % of its responses repeated at its end: duplicates.
duplicated="$dir/bench-$first-dup.csv"
if [ ! -f "$duplicated" ]; then
    cp "$dir/bench-$first.csv" "$duplicated"
    sed -n "2,$(( first / 100 + 1 ))p" "$dir/bench-$first.csv" >> "$duplicated"
fi
for mode in memory disk; do
    mib=$([ $mode = disk ] && echo 0 || echo 1000000)
    commands[dup-$mode]="env KVALITET_IDS_ON_DISK_MIB=$mib $kvalitet score --sets Benchmarks/sets --format csv --output $dir/scale-dup-$mode.csv $duplicated"
    commands[nodup-$mode]="env KVALITET_IDS_ON_DISK_MIB=$mib $kvalitet score --sets Benchmarks/sets --format csv --output $dir/scale-nodup-$mode.csv $dir/bench-$first.csv"
    order+=("nodup-$mode" "dup-$mode")
done

source Benchmarks/timing.sh
time_alternating
cmp "$dir/scale-dup-memory.csv" "$dir/scale-dup-disk.csv" || { echo "ids in memory and on disk disagree"; exit 1; }

echo "kvalitet score, CSV, $(nproc) cores; medians of $runs runs; ids on disk from 256 MiB of input (KVALITET_IDS_ON_DISK_MIB)"
printf '%-28s %10s %12s %10s\n' run "median s" "vs first" "peak MB"
base=$(median "${times[csv-$first]}")
for name in "${order[@]}"; do
    m=$(median "${times[$name]}")
    printf '%-28s %10s %11sx %10d\n' "$name" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" $(( ${memory[$name]} / 1024 ))
done
