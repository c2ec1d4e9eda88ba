#!/usr/bin/env bash
# Times `kvalitet score` against polars, DuckDB and pandas (CSV) and `xmllint --stream` (XML) on
# the same generated responses, alternating tools, several runs; prints medians, ratios and peak
# memory. Usage: Benchmarks/run.sh [RESPONSES (1000000)] [RUNS (5)]
# Environment: BENCH_DIR (data, default /tmp/kvalitet-bench), SKIP_PEERS=1 (kvalitet and xmllint only),
# BEFORE=PATH (another kvalitet binary, e.g. of the commit before a change, timed alternating too).
set -euo pipefail
cd "$(dirname "$0")/.."
responses=${1:-1000000}
runs=${2:-5}
dir=${BENCH_DIR:-/tmp/kvalitet-bench}
mkdir -p "$dir"

command -v xmllint >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q libxml2-utils >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
if [ "${SKIP_PEERS:-0}" != 1 ] && [ ! -x "$dir/venv/bin/python" ]; then
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install -q polars duckdb pandas
fi

swift build -c release --product kvalitet >/dev/null
kvalitet=$(swift build -c release --show-bin-path)/kvalitet

csv="$dir/bench-$responses.csv"
xml="$dir/bench-$responses.xml"
# One municipality and period, 400 units: the CSV and the XML hold the same responses.
for format in csv xml; do
    file="$dir/bench-$responses.$format"
    [ -f "$file" ] || "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses "$responses" \
        --units 400 --format "$format" --seed 42 --output "$file"
done
# The same CSV with its rows in random order (a national file merged from many exports).
shuffled="$dir/bench-$responses-shuffled.csv"
[ -f "$shuffled" ] || { head -1 "$csv"; tail -n +2 "$csv" | shuf --random-source=<(yes); } > "$shuffled"
# The national shape: 50 municipalities x 2 services x 20 units (2,000 units), rows in random order.
national="$dir/national-$responses.csv"
if [ ! -f "$national" ]; then
    "$kvalitet" generate --sets Benchmarks/sets --set bench-30 --responses "$responses" --municipalities 50 \
        --units 40 --services 2 --format csv --seed 42 --output "$dir/national-sorted.csv"
    { head -1 "$dir/national-sorted.csv"; tail -n +2 "$dir/national-sorted.csv" | shuf --random-source=<(yes); } > "$national"
    rm "$dir/national-sorted.csv"
fi
echo "data: $responses responses x 30 items; CSV $(du -m "$csv" | cut -f1) MB, XML $(du -m "$xml" | cut -f1) MB; $(nproc) cores"

declare -A commands=(
    [kvalitet-csv]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scores.csv $csv"
    [kvalitet-xml]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scores-xml.csv $xml"
    [xmllint-stream]="xmllint --stream --noout $xml"
)
commands[kvalitet-shuffled]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scores-shuffled.csv $shuffled"
commands[kvalitet-national]="$kvalitet score --sets Benchmarks/sets --format csv --output $dir/scores-national.csv $national"
order=(kvalitet-csv kvalitet-shuffled kvalitet-national kvalitet-xml xmllint-stream)
if [ -n "${BEFORE:-}" ]; then
    commands[before-csv]="$BEFORE score --sets Benchmarks/sets --format csv --output $dir/scores-before.csv $csv"
    commands[before-shuffled]="$BEFORE score --sets Benchmarks/sets --format csv --output $dir/scores-before-shuffled.csv $shuffled"
    commands[before-xml]="$BEFORE score --sets Benchmarks/sets --format csv --output $dir/scores-before-xml.csv $xml"
    commands[before-national]="$BEFORE score --sets Benchmarks/sets --format csv --output $dir/scores-before-national.csv $national"
    order+=(before-csv before-shuffled before-national before-xml)
fi
if [ "${SKIP_PEERS:-0}" != 1 ]; then
    for tool in polars duckdb pandas; do
        commands[$tool]="$dir/venv/bin/python Benchmarks/peers.py $tool $csv"
        order+=("$tool")
    done
    commands[polars-shuffled]="$dir/venv/bin/python Benchmarks/peers.py polars $shuffled"
    commands[polars-national]="$dir/venv/bin/python Benchmarks/peers.py polars $national"
    order+=(polars-shuffled polars-national)
fi

source Benchmarks/timing.sh
time_alternating

printf '%-16s %10s %10s %12s\n' tool "median s" "vs kvalitet" "peak MB"
base=$(median "${times[kvalitet-csv]}")
for name in "${order[@]}"; do
    m=$(median "${times[$name]}")
    ratio=$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    printf '%-16s %10s %10s %12d\n' "$name" "$m" "${ratio}x" $(( ${memory[$name]} / 1024 ))
done

# A small chart of the medians (one block per 0.25 s), CSV tools and XML tools apart.
echo
for group in "kvalitet-csv before-csv polars duckdb pandas" "kvalitet-shuffled before-shuffled polars-shuffled" \
    "kvalitet-national before-national polars-national" \
    "kvalitet-xml before-xml xmllint-stream"; do
    for name in $group; do
        [ -n "${times[$name]:-}" ] || continue
        m=$(median "${times[$name]}")
        bar=$(awk -v s="$m" 'BEGIN { n = int(s / 0.25 + 0.5); if (n < 1) n = 1; for (i = 0; i < n; i++) printf "█" }')
        printf '%-16s %s %s s\n' "$name" "$bar" "$m"
    done
    echo
done
# Issue #11's goals, as ratios within this run (each beside polars on the same file).
goal() { # NAME KVALITET PEER LIMIT
    [ -n "${times[$2]:-}" ] && [ -n "${times[$3]:-}" ] || return 0
    awk -v k="$(median "${times[$2]}")" -v p="$(median "${times[$3]}")" -v l="$4" -v n="$1" -v peer="$3" \
        'BEGIN { r = k / p; printf "goal: %s at most %sx %s: %.2fx (%s)\n", n, l, peer, r, r <= l ? "met" : "not met" }'
}
goal "CSV in unit order" kvalitet-csv polars 0.3
goal "CSV shuffled" kvalitet-shuffled polars-shuffled 0.5
goal "2,000 units in random order" kvalitet-national polars-national 0.5
goal "XML" kvalitet-xml xmllint-stream 0.6
if [ -n "${BEFORE:-}" ]; then
    for kind in csv shuffled national xml; do
        awk -v a="$(median "${times[kvalitet-$kind]}")" -v b="$(median "${times[before-$kind]}")" -v k="$kind" \
            'BEGIN { printf "after / before (%s): %.2fx\n", k, a / b }'
    done
fi
for name in kvalitet-csv kvalitet-shuffled kvalitet-national kvalitet-xml; do
    awk -v m="$(( ${memory[$name]} / 1024 ))" -v n="$name" \
        'BEGIN { printf "goal: %s peak memory under 200 MB: %d MB (%s)\n", n, m, m < 200 ? "met" : "not met" }'
done
