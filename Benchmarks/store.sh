#!/usr/bin/env bash
# The results store at national scale (issue #5): 10 years x 100 municipalities x 9 sets, about
# 10 million responses, imported into a store; then scoring one municipality and period from the
# store is timed against scoring the files that hold just those responses (what a user would
# otherwise keep and score). Checks that both give the same CSV. Prints medians and peak memory.
#
# Usage: Benchmarks/store.sh [RESPONSES_PER_SET (1111112)] [RUNS (5)]
# Environment: BENCH_DIR (data, default /tmp/kvalitet-store-bench; needs about 4 GB),
#   STORE (default BENCH_DIR/store.sqlite; a postgres:// URL benchmarks PostgreSQL instead),
#   KEEP_STORE=1 (reuse an imported store).
set -euo pipefail
cd "$(dirname "$0")/.."
per_set=${1:-1111112}
runs=${2:-5}
dir=${BENCH_DIR:-/tmp/kvalitet-store-bench}
store=${STORE:-$dir/store.sqlite}
mkdir -p "$dir/data" "$dir/one" "$dir/one-set"
[ -x /usr/bin/time ] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }

swift build -c release --product kvalitet >/dev/null
kvalitet=$(swift build -c release --show-bin-path)/kvalitet
sets=(barnehage-foresatte bofellesskap-brukere hjemmetjenester-brukere medarbeidere sfo-foresatte skole-elever
    skole-foresatte sykehjem-beboere sykehjem-parorende)
periods=2015,2016,2017,2018,2019,2020,2021,2022,2023,2024
seed=1
for set in "${sets[@]}"; do
    file="$dir/data/$set-$per_set.csv"
    [ -f "$file" ] || "$kvalitet" generate --set "$set" --responses "$per_set" --municipalities 100 --units 5 \
        --periods "$periods" --seed $((seed++)) --output "$file"
done
total=$((per_set * ${#sets[@]}))
echo "data: ${#sets[@]} sets x $per_set responses = $total responses, 100 municipalities, 10 periods; $(du -sh "$dir/data" | cut -f1) of CSV"

case "$store" in
postgres://* | postgresql://*) is_file=0 ;;
*) is_file=1 ;;
esac
if [ "${KEEP_STORE:-0}" != 1 ]; then
    [ $is_file = 1 ] && rm -f "$store" "$store-wal" "$store-shm"
    /usr/bin/time -f "%e %M" -o "$dir/import-time.txt" "$kvalitet" import --db "$store" "$dir/data/"*"-$per_set.csv" 2>"$dir/import.log"
    read -r seconds kilobytes < "$dir/import-time.txt"
    echo "import: $seconds s, peak $((kilobytes / 1024)) MB$([ $is_file = 1 ] && echo ", store file $(du -h "$store" | cut -f1)")"
fi

# One municipality and period: its responses of every set, as files of their own.
municipality="9049 Syntetisk 50"
period=2020
rm -f "$dir/one/"*.csv "$dir/one-set/"*.csv
for set in "${sets[@]}"; do
    awk -F, -v m="$municipality" -v p="$period" 'NR == 1 || ($2 == m && $5 == p)' \
        "$dir/data/$set-$per_set.csv" > "$dir/one/$set.csv"
done
cp "$dir/one/sfo-foresatte.csv" "$dir/one-set/"
echo "selection: $municipality, $period: $(cat "$dir/one/"*.csv | grep -vc '^respondent') responses in ${#sets[@]} files" \
    "($(($(wc -l < "$dir/one/sfo-foresatte.csv") - 1)) of sfo-foresatte)"

declare -A commands=(
    [files-all-sets]="$kvalitet score --format csv --output $dir/files-all.csv $dir/one"
    [store-all-sets]="$kvalitet score --db $store --municipality 9049 --period $period --format csv --output $dir/store-all.csv"
    [files-one-set]="$kvalitet score --format csv --output $dir/files-one.csv $dir/one-set"
    [store-one-set]="$kvalitet score --db $store --municipality 9049 --period $period --set sfo-foresatte --format csv --output $dir/store-one.csv"
)
order=(files-all-sets store-all-sets files-one-set store-one-set)
source Benchmarks/timing.sh
time_alternating
if cmp "$dir/files-all.csv" "$dir/store-all.csv" && cmp "$dir/files-one.csv" "$dir/store-one.csv"; then
    echo "check: the store gives the same scores CSV as the files (all sets, one set)"
else
    echo "check FAILED: the store and the files give different scores"
    exit 1
fi

printf '%-16s %10s %10s\n' scoring "median s" "peak MB"
for name in "${order[@]}"; do
    printf '%-16s %10s %10s\n' "$name" "$(median "${times[$name]}")" "$((memory[$name] / 1024))"
done
